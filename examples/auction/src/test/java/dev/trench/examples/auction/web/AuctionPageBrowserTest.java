package dev.trench.examples.auction.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trench.bus.MessageId;
import dev.trench.examples.auction.api.SessionTokens;
import dev.trench.examples.auction.cluster.EmbeddedCluster;
import dev.trench.examples.auction.cluster.EmbeddedClusterConfig;
import dev.trench.examples.auction.cluster.WebSocketRole;
import dev.trench.examples.auction.store.BidDecision;
import dev.trench.examples.auction.support.Http;
import dev.trench.examples.auction.support.WsClient;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The auction page in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}), against the whole
 * cluster started in process on free ports (API and page, two workers, two websocket nodes; no demo bots, so nothing
 * bids but the test). Each test opens its own auction through the API.
 *
 * <p>No sleeps: the browser side waits with {@link WebDriverWait} on explicit DOM conditions, the server side with
 * Awaitility on the API. The page tells the test when it is live: {@code #status[data-state=connected]} (with the node
 * in {@code data-url} and the user in {@code data-user}) and {@code #auction[data-live=true]} once the node's
 * {@code Snapshot} of the selected auction arrived on the current socket, i.e. once it is subscribed.
 *
 * <p>One test stops a websocket node; it runs last ({@link Order}). Every test also fails on an error in a page's
 * console (a script error, a failed request) other than the websocket failures it provokes itself.
 *
 * <p>Chromium and its driver are required, never skipped: without them every test fails naming the Debian packages
 * ({@code chromium}, {@code chromium-driver}). Their paths: system properties {@code auction.chrome.binary} and
 * {@code webdriver.chrome.driver} (set by the module's surefire configuration), {@code /usr/bin/chromium} and
 * {@code /usr/bin/chromedriver} by default. The screenshot goes to {@code auction.test.output} (the build directory).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuctionPageBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration POLL = Duration.ofMillis(50);
    private static final String CHROMIUM = System.getProperty("auction.chrome.binary", "/usr/bin/chromium");
    private static final String CHROMEDRIVER = System.getProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private static EmbeddedCluster cluster;
    private static Http http;
    /** Chromium's TMPDIR: it leaves a directory behind per start even after quit; this one is deleted at the end. */
    private static Path chromiumTmp;
    private final List<ChromeDriver> browsers = new ArrayList<>();
    private final List<String> expectedConsoleErrors = new ArrayList<>();

    @BeforeAll
    static void startClusterWithoutBots() {
        requireExecutable(CHROMIUM, "chromium", "the browser");
        requireExecutable(CHROMEDRIVER, "chromium-driver", "the WebDriver of Chromium");
        // Selenium Manager (it would try to download a driver) stays out: the driver's path is explicit
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        try {
            // short: Chromium puts a Unix socket in it, and socket paths are limited to 107 bytes
            chromiumTmp = Files.createTempDirectory("trench-web-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cluster = EmbeddedCluster.start(new EmbeddedClusterConfig("127.0.0.1", "localhost", 0, List.of(0, 0),
                List.of(0, 0), List.of(0, 0), null, Duration.ofHours(1), 100, 100, null));
        http = new Http(cluster.apiPort());
    }

    @AfterAll
    static void stopCluster() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
        if (chromiumTmp != null) {
            try (Stream<Path> files = Files.walk(chromiumTmp)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @AfterEach
    void noScriptErrorsThenQuit() {
        try {
            for (ChromeDriver browser : browsers) {
                List<String> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                        .map(LogEntry::getMessage)
                        .filter(m -> expectedConsoleErrors.stream().noneMatch(m::contains))
                        .collect(Collectors.toList());
                assertThat(errors).as("errors in the page's console").isEmpty();
            }
        } finally {
            for (ChromeDriver browser : browsers) {
                try {
                    browser.quit();
                } catch (RuntimeException e) {
                    System.err.println("quitting a browser failed: " + e);
                }
            }
        }
    }

    /**
     * A page nobody joined on lists the open auctions and watches one; a bid posted through the API (a session, then
     * the bid with its token) shows as price, leader, bid count and history entry, without a reload.
     */
    @Test
    @Order(1)
    void aBidPostedThroughTheApiAppearsOnAWatchingPageWithoutReload() throws Exception {
        openAuction("web-a", "Brass lamp", "10.00", "0.50");
        Page page = openPage();

        assertThat(page.el("login-panel").isDisplayed()).as("the join form is offered").isTrue();
        assertThat(page.text("user")).as("nobody joined").isEmpty();
        page.choose("web-a");
        assertThat(page.text("title")).isEqualTo("Brass lamp");
        assertThat(page.text("price")).isEqualTo("10.00");
        assertThat(page.text("seq")).isEqualTo("0");
        page.markDocument();

        JsonNode carol = http.session("carol");
        String carolId = carol.path("userId").asText();
        apiBid("web-a", "12.50", carol.path("token").asText());

        page.waitText("price", "12.50");
        page.waitText("leader", carolId);
        assertThat(page.text("seq")).isEqualTo("1");
        WebElement entry = page.waitFor(By.cssSelector("#history li[data-seq='1']"));
        assertThat(entry.getText()).contains("12.50").contains(carolId);
        assertThat(entry.getAttribute("data-partial")).as("an entry from the event itself, with its time").isNull();
        assertThat(page.text("auctions")).as("the list follows the selected auction").contains("12.50");
        page.assertSameDocument();
    }

    /**
     * A user joins on one page and bids through its form; a second browser, watching the same auction, shows the bid
     * live, and the bidder's page tells it its bid is the highest. Leaves a screenshot of the second page.
     */
    @Test
    @Order(2)
    void aBidMadeWithThePageFormReachesAnotherOpenPageLive() throws Exception {
        openAuction("web-b", "Oak chair", "10.00", "0.50");
        Page bidder = openPage();
        Page watcher = openPage();

        String daveId = bidder.join("dave");
        bidder.choose("web-b");
        watcher.choose("web-b");
        watcher.markDocument();

        bidder.type("bid-amount", "11");
        bidder.click("bid-submit");

        watcher.waitText("price", "11.00");
        watcher.waitText("leader", daveId);
        assertThat(watcher.waitFor(By.cssSelector("#history li[data-seq='1']")).getText())
                .contains("11.00").contains(daveId);
        bidder.waitText("price", "11.00");
        bidder.waitFor(By.cssSelector("#history li.mine[data-seq='1']"));
        bidder.waitContains("bid-result", "Your bid of 11.00 is the highest");
        watcher.assertSameDocument();
        assertThat(watcher.elements("#rejections li")).isEmpty();

        Path shot = screenshot(watcher, "auction-page-bid-from-another-page.png");
        byte[] png = Files.readAllBytes(shot);
        assertThat(Arrays.copyOf(png, PNG_SIGNATURE.length)).as("PNG signature of " + shot).isEqualTo(PNG_SIGNATURE);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image).as("a PNG that decodes: " + shot).isNotNull();
        assertThat(image.getWidth()).isGreaterThanOrEqualTo(800);
        assertThat(image.getHeight()).isGreaterThanOrEqualTo(600);
    }

    /** A bid below the minimum, made through the page, shows its reason on the bidder's page and on no other. */
    @Test
    @Order(3)
    void aTooLowBidMadeOnThePageShowsTheRejectionToThatUserOnly() throws Exception {
        openAuction("web-c", "Copper kettle", "10.00", "1.00");
        Page frank = openPage();
        Page gina = openPage();
        frank.join("frank");
        String ginaId = gina.join("gina");
        frank.choose("web-c");
        gina.choose("web-c");

        frank.type("bid-amount", "5.00");
        frank.click("bid-submit");

        WebElement rejection = frank.waitFor(By.cssSelector("#rejections li[data-reason='bid-too-low']"));
        assertThat(rejection.getText()).contains("5.00").contains("web-c").contains("below the minimum 10.00");
        frank.waitContains("bid-result", "Your bid of 5.00 was refused: bid 5.00 is below the minimum 10.00");
        assertThat(frank.text("price")).isEqualTo("10.00");

        // a later valid bid, through gina's page, reaches both pages: by then frank's rejection went wherever it
        // could go (to frank's sessions only, by user id), and gina's page never showed it
        gina.type("bid-amount", "10.00");
        gina.click("bid-submit");
        gina.waitContains("bid-result", "Your bid of 10.00 is the highest");
        frank.waitText("leader", ginaId);
        frank.waitText("price", "10.00");
        assertThat(gina.elements("#rejections li")).as("gina's rejected bids").isEmpty();
        assertThat(gina.text("bid-result")).doesNotContain("refused");
        assertThat(frank.elements("#rejections li")).as("frank's rejected bids").hasSize(1);
        assertThat(frank.text("bid-result")).as("frank's own outcome stays on his page")
                .contains("Your bid of 5.00 was refused");
    }

    /**
     * A session the websocket nodes refuse (here a token signed with another key, as after the API restarted with a
     * new random key) must not leave a reloaded page reconnecting forever: the page finds out, drops the session and
     * goes on watching.
     */
    @Test
    @Order(4)
    void aReloadedPageWhoseSessionTheNodesRefuseDropsItAndGoesOnWatching() throws Exception {
        openAuction("web-e", "Glass vase", "10.00", "0.50");
        Page page = openPage();
        SessionTokens.IssuedToken stale = new SessionTokens(SessionTokens.randomKey(), Duration.ofHours(1),
                Clock.systemUTC()).issue("ivan-0001");
        page.driver.executeScript("sessionStorage.setItem('trench-auction-session', JSON.stringify("
                + "{userId: arguments[0], name: 'ivan', token: arguments[1], expiresAt: arguments[2]}));",
                stale.userId(), stale.token(), stale.expiresAt().toString());
        expectedConsoleErrors.add("WebSocket connection to");   // the refused upgrades (401)

        page.driver.navigate().refresh();

        page.waitContains("login-error", "Your session is no longer accepted; join again to bid.");
        page.wait.until(ExpectedConditions.and(
                attr("status", "data-state", "connected"),
                attr("status", "data-user", "")));
        assertThat(page.text("user")).isEmpty();
        assertThat(page.el("login-panel").isDisplayed()).isTrue();
        assertThat(page.driver.executeScript("return sessionStorage.getItem('trench-auction-session');")).isNull();

        page.choose("web-e");
        JsonNode jill = http.session("jill");
        apiBid("web-e", "15.00", jill.path("token").asText());
        page.waitText("price", "15.00");
        page.waitText("leader", jill.path("userId").asText());
    }

    /**
     * The page's node stops: the page says so, reconnects to the other node, loads the state it could not have
     * received as an event and stays live. The bid it missed is written to the store directly, so no event of it
     * exists anywhere; and a watcher already subscribed on the other node keeps that node's cached view of the
     * auction at the older state, so the node's own Snapshot on resubscribe is stale too: only the page loading the
     * state (GET /auctions/{id}) on reconnect can show the bid. Runs last: it stops a node.
     */
    @Test
    @Order(5)
    void whenItsWebsocketNodeStopsThePageReconnectsToTheOtherLoadsTheStateAndStaysLive() throws Exception {
        openAuction("web-d", "Tin drum", "10.00", "0.50");
        Page page = openPage();
        page.choose("web-d");
        page.markDocument();
        String firstUrl = page.el("status").getAttribute("data-url");
        WebSocketRole first = nodeOf(firstUrl);
        WebSocketRole other = cluster.wsNodes().stream().filter(n -> n != first).findFirst().orElseThrow();
        String otherUrl = "ws://localhost:" + other.port() + "/ws";

        try (WsClient watcher = WsClient.connect(other.port(), null)) {
            JsonNode cached = watcher.subscribe("web-d");
            assertThat(cached.path("type").asText()).isEqualTo("Snapshot");
            assertThat(cached.path("seq").asLong()).as("the other node's view of web-d").isZero();

            BidDecision missed = cluster.store().placeBid("web-d", MessageId.generator(Clock.systemUTC()).get(),
                    "zoe-0001", new BigDecimal("20.00"), Instant.now());
            assertThat(missed).isInstanceOf(BidDecision.Placed.class);
            assertThat(page.text("price")).as("no event carries that bid").isEqualTo("10.00");

            page.recordStatusChanges();
            expectedConsoleErrors.add("WebSocket connection to");   // an attempt at the stopped node, if one is made
            first.close();

            page.wait.until(ExpectedConditions.and(
                    attr("status", "data-state", "connected"),
                    attr("status", "data-url", otherUrl),
                    attr("auction", "data-live", "true")));
            page.waitText("price", "20.00");
            page.waitText("leader", "zoe-0001");
            assertThat(page.text("seq")).isEqualTo("1");
            assertThat(page.waitFor(By.cssSelector("#history li[data-seq='1']")).getAttribute("data-partial"))
                    .as("known from the loaded state, not from an event").isEqualTo("true");
            assertThat(page.statusChanges()).as("#status while its node stopped and the page reconnected")
                    .containsExactly("connected", "reconnecting", "connected");

            JsonNode henry = http.session("henry");
            apiBid("web-d", "21.00", henry.path("token").asText());
            page.waitText("price", "21.00");
            page.waitText("leader", henry.path("userId").asText());
            assertThat(page.waitFor(By.cssSelector("#history li[data-seq='2']")).getText()).contains("21.00");
            page.assertSameDocument();
        }
    }

    // ---- the cluster's side ------------------------------------------------------------------------------------

    private static void openAuction(String id, String title, String startingPrice, String minIncrement)
            throws Exception {
        String body = "{\"id\": \"" + id + "\", \"title\": \"" + title + "\", \"startingPrice\": \"" + startingPrice
                + "\", \"minIncrement\": \"" + minIncrement + "\", \"endsAt\": \""
                + Instant.now().plus(Duration.ofHours(1)) + "\"}";
        Http.Answer opened = http.post("/auctions", body, null);
        assertThat(opened.status()).as(opened.body()).isEqualTo(202);
        await().atMost(WAIT).until(() -> http.get("/auctions/" + id).status() == 200);
    }

    private static void apiBid(String auctionId, String amount, String token) throws Exception {
        Http.Answer bid = http.post("/auctions/" + auctionId + "/bids", "{\"amount\": \"" + amount + "\"}", token);
        assertThat(bid.status()).as(bid.body()).isEqualTo(202);
    }

    private static WebSocketRole nodeOf(String url) {
        return cluster.wsNodes().stream().filter(n -> url.equals("ws://localhost:" + n.port() + "/ws")).findFirst()
                .orElseThrow(() -> new AssertionError("the page is connected to no node of the cluster: " + url));
    }

    private static void requireExecutable(String path, String debianPackage, String what) {
        if (!new File(path).canExecute()) {
            fail(what + " is missing: no executable " + path + ". Install Debian's package with `apt-get install -y "
                    + debianPackage + "` (the test needs chromium and chromium-driver), or give the paths to Maven:"
                    + " -Dchrome.binary=... -Dchrome.driver=...");
        }
    }

    // ---- the browser's side ------------------------------------------------------------------------------------

    private Page openPage() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .withEnvironment(Map.of("TMPDIR", chromiumTmp.toString()))
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        browsers.add(driver);
        driver.get(cluster.apiUrl());
        Page page = new Page(driver);
        page.wait.until(attr("status", "data-state", "connected"));
        return page;
    }

    /**
     * The element's attribute as written in the DOM is {@code value} ({@code ""} included, which
     * {@link ExpectedConditions#attributeToBe} cannot tell from an absent attribute).
     */
    private static ExpectedCondition<Boolean> attr(String id, String name, String value) {
        return new ExpectedCondition<>() {
            @Override
            public Boolean apply(WebDriver driver) {
                return value.equals(driver.findElement(By.id(id)).getDomAttribute(name));
            }

            @Override
            public String toString() {
                return "#" + id + "[" + name + "=\"" + value + "\"]";
            }
        };
    }

    private static Path screenshot(Page page, String name) throws IOException {
        Path dir = Path.of(System.getProperty("auction.test.output", "target"));
        Files.createDirectories(dir);
        Path file = dir.resolve(name);
        Files.write(file, page.driver.getScreenshotAs(OutputType.BYTES));
        return file;
    }

    /** One browser window on the page. */
    private static final class Page {
        final ChromeDriver driver;
        final WebDriverWait wait;

        Page(ChromeDriver driver) {
            this.driver = driver;
            this.wait = new WebDriverWait(driver, WAIT, POLL);
        }

        WebElement el(String id) {
            return driver.findElement(By.id(id));
        }

        String text(String id) {
            return el(id).getText();
        }

        List<WebElement> elements(String css) {
            return driver.findElements(By.cssSelector(css));
        }

        WebElement waitFor(By by) {
            return wait.until(ExpectedConditions.presenceOfElementLocated(by));
        }

        void waitText(String id, String text) {
            new WebDriverWait(driver, WAIT, POLL)
                    .withMessage(() -> "#" + id + " to read '" + text + "', was '" + text(id) + "'")
                    .until(ExpectedConditions.textToBe(By.id(id), text));
        }

        void waitContains(String id, String text) {
            new WebDriverWait(driver, WAIT, POLL)
                    .withMessage(() -> "#" + id + " to contain '" + text + "', was '" + text(id) + "'")
                    .until(ExpectedConditions.textToBePresentInElementLocated(By.id(id), text));
        }

        void type(String id, String text) {
            WebElement input = el(id);
            input.clear();
            input.sendKeys(text);
        }

        void click(String id) {
            wait.until(ExpectedConditions.elementToBeClickable(By.id(id))).click();
        }

        /** Joins with a name through the page's form; returns the user id the page shows. */
        String join(String name) {
            type("name", name);
            click("login");
            wait.until(ExpectedConditions.textMatches(By.id("user"), Pattern.compile(name + "-.+")));
            String userId = text("user");
            // the socket carrying the token replaced the anonymous one
            wait.until(ExpectedConditions.and(
                    attr("status", "data-state", "connected"),
                    attr("status", "data-user", userId)));
            assertThat(el("login-panel").isDisplayed()).isFalse();
            return userId;
        }

        /** Clicks the auction in the list and waits until the page is subscribed to it on its current socket. */
        void choose(String auctionId) {
            wait.until(ExpectedConditions.elementToBeClickable(
                    By.cssSelector("#auctions button[data-auction-id='" + auctionId + "']"))).click();
            wait.until(ExpectedConditions.and(
                    attr("auction", "data-auction-id", auctionId),
                    attr("auction", "data-live", "true"),
                    attr("status", "data-state", "connected")));
            wait.until(ExpectedConditions.not(ExpectedConditions.textToBe(By.id("title"), "Loading…")));
        }

        /** Marks the document: {@link #assertSameDocument()} fails after a reload or a navigation. */
        void markDocument() {
            driver.executeScript("window.__auctionTestMark = 'unchanged';");
        }

        void assertSameDocument() {
            assertThat(driver.executeScript("return window.__auctionTestMark;")).as("the page was not reloaded")
                    .isEqualTo("unchanged");
        }

        /** Starts recording the values {@code #status[data-state]} goes through. */
        void recordStatusChanges() {
            // each mutation record keeps the value before its change: no change can be missed or read too late
            ((JavascriptExecutor) driver).executeScript(
                    "window.__statusBefore = [];"
                            + "new MutationObserver((records) => records.forEach("
                            + "(r) => window.__statusBefore.push(r.oldValue)))"
                            + ".observe(document.getElementById('status'),"
                            + " {attributes: true, attributeOldValue: true, attributeFilter: ['data-state']});");
        }

        /** The values of {@code #status[data-state]} since {@link #recordStatusChanges()}, repeats collapsed. */
        @SuppressWarnings("unchecked")
        List<String> statusChanges() {
            List<String> values = new ArrayList<>((List<String>) driver.executeScript(
                    "return window.__statusBefore.concat([document.getElementById('status').dataset.state]);"));
            List<String> collapsed = new ArrayList<>();
            for (String v : values) {
                if (collapsed.isEmpty() || !collapsed.get(collapsed.size() - 1).equals(v)) {
                    collapsed.add(v);
                }
            }
            return collapsed;
        }
    }
}
