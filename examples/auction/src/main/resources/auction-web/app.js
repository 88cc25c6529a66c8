// The auction page: plain JavaScript, no build step, no dependency.
// Anyone may watch: GET /config (websocket URLs) -> GET /auctions -> websocket (anonymous) -> subscribe.
// Joining (POST /session) is only needed to bid; the websocket then reconnects with ?token= so that the node also
// sends this user's BidRejected events.
// On every (re)connect: GET /auctions/{id} and subscribe again; reconnects back off exponentially (0.5 s doubling to
// 10 s, jittered) and rotate over the websocket URLs.
// Amounts stay decimal strings end to end; arithmetic on them is done in integer cents (BigInt), never floats.
'use strict';

(function () {
  const SESSION_KEY = 'trench-auction-session';
  const HISTORY_LIMIT = 200;
  const RECONNECT_MIN_MS = 500;
  const RECONNECT_MAX_MS = 10000;
  const LIST_REFRESH_MS = 5000;
  const state = {
    session: null,          // {userId, name, token, expiresAt}
    websockets: [],         // from GET /config
    wsIndex: 0,
    ws: null,               // the current socket (null while waiting to reconnect)
    wsUrl: '',              // its URL, without the token
    wsUser: '',             // the user whose token it carries; '' when anonymous
    attempt: 0,             // failed attempts since the last successful open
    tokenFailures: 0,       // sockets with the token that failed before opening, in a row
    reconnectTimer: null,
    bootTimer: null,
    bootAttempt: 0,
    listTimer: null,
    endTimer: null,
    selected: null,         // auction id
    auction: null,          // last known state of the selected auction
    seq: -1,                // last sequence number shown for the selected auction
    lastBid: null,          // {auctionId, cents, commandId, outcome}: this page's latest bid, to report its fate once
  };

  const $ = (id) => document.getElementById(id);

  // ---- money, in integer cents -------------------------------------------------------------------------------
  function toCents(text) {
    const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(text).trim());
    if (!m) return null;
    return BigInt(m[1]) * 100n + BigInt((m[2] || '').padEnd(2, '0'));
  }
  function fromCents(cents) {
    const sign = cents < 0n ? '-' : '';
    const c = cents < 0n ? -cents : cents;
    return sign + (c / 100n).toString() + '.' + (c % 100n).toString().padStart(2, '0');
  }
  function show(amount) {
    const cents = amount == null ? null : toCents(amount);
    return cents == null ? (amount == null ? '–' : String(amount)) : fromCents(cents);
  }

  // ---- HTTP ----------------------------------------------------------------------------------------------------
  async function request(method, path, body, withToken) {
    const headers = {'Accept': 'application/json'};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (withToken && state.session) headers['Authorization'] = 'Bearer ' + state.session.token;
    const response = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store'});
    let json = null;
    try { json = await response.json(); } catch (e) { json = null; }
    return {status: response.status, json, headers: response.headers};
  }

  // ---- session -------------------------------------------------------------------------------------------------
  function expired(session) {
    return !!session.expiresAt && !(Date.parse(session.expiresAt) > Date.now());
  }

  function loadSession() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
      if (saved && saved.token && saved.userId && !expired(saved)) return saved;
    } catch (e) { /* ignore a corrupt entry */ }
    sessionStorage.removeItem(SESSION_KEY);
    return null;
  }

  function renderSession() {
    const s = state.session;
    $('login-panel').hidden = !!s;
    $('logout').hidden = !s;
    $('user').textContent = s ? s.userId : '';
    $('watching').hidden = !!s;
    $('bid-hint').hidden = !!s;
  }

  async function login(event) {
    event.preventDefault();
    const name = $('name').value.trim();
    $('login-error').textContent = '';
    if (!name) { $('login-error').textContent = 'Please enter a name.'; return; }
    $('login').disabled = true;
    try {
      const r = await request('POST', '/session', {name});
      if (r.status !== 200 || !r.json || !r.json.token) {
        $('login-error').textContent = (r.json && r.json.detail) || ('Could not join (HTTP ' + r.status + ')');
        return;
      }
      state.session = r.json;
      sessionStorage.setItem(SESSION_KEY, JSON.stringify(r.json));
      // in one go: the page shows the user and the anonymous socket makes way for one that carries the token
      renderSession();
      reconnectNow();
      $('bid-amount').focus();
    } catch (e) {
      $('login-error').textContent = 'The API cannot be reached: ' + e.message;
    } finally {
      $('login').disabled = false;
    }
  }

  /** Forgets the session (the socket is left alone). */
  function dropSession(message) {
    sessionStorage.removeItem(SESSION_KEY);
    state.session = null;
    state.lastBid = null;
    state.tokenFailures = 0;
    renderSession();
    $('login-error').textContent = message || '';
    if (message) result(message, true);
  }

  /** Forgets the session and goes on watching anonymously. */
  function logout(message) {
    dropSession(message);
    reconnectNow();
  }

  // ---- start: watching needs no session ------------------------------------------------------------------------
  async function boot() {
    clearTimeout(state.bootTimer);
    setStatus('connecting', 'loading the configuration');
    let config;
    try {
      config = await request('GET', '/config');
      if (config.status !== 200 || !config.json) throw new Error('HTTP ' + config.status);
    } catch (e) {
      // the API is unreachable: try again with the same backoff as the websocket
      const delay = backoff(state.bootAttempt++);
      setStatus('offline', 'the API cannot be reached (' + e.message + '); retry in ' + seconds(delay));
      state.bootTimer = setTimeout(boot, delay);
      return;
    }
    state.bootAttempt = 0;
    state.websockets = Array.isArray(config.json.websockets) ? config.json.websockets : [];
    state.wsIndex = state.websockets.length ? Math.floor(Math.random() * state.websockets.length) : 0;
    await refreshAuctions();
    const wanted = decodeURIComponent(location.hash.slice(1));
    const first = document.querySelector('#auctions [data-auction-id]');
    if (wanted) select(wanted);
    else if (first && !state.selected) select(first.dataset.auctionId);
    clearInterval(state.listTimer);
    state.listTimer = setInterval(refreshAuctions, LIST_REFRESH_MS);
    connect();
  }

  // ---- auctions list (updated in place, keyed by auction id) ---------------------------------------------------
  async function refreshAuctions() {
    let r;
    try { r = await request('GET', '/auctions'); } catch (e) { return; }
    if (r.status !== 200 || !Array.isArray(r.json)) return;
    const list = $('auctions');
    const wanted = new Set(r.json.map((a) => a.id));
    const existing = new Map();
    for (const b of list.querySelectorAll('button[data-auction-id]')) {
      if (wanted.has(b.dataset.auctionId)) existing.set(b.dataset.auctionId, b.parentElement);
      else b.parentElement.remove();   // closed or gone
    }
    r.json.forEach((a, i) => {
      let li = existing.get(a.id);
      if (!li) {
        li = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        button.dataset.auctionId = a.id;
        const title = document.createElement('span');
        title.className = 'title';
        const price = document.createElement('span');
        price.className = 'muted price-tag';
        button.append(title, price);
        button.addEventListener('click', () => select(a.id));
        li.append(button);
      }
      const button = li.firstElementChild;
      button.setAttribute('aria-current', String(a.id === state.selected));
      button.querySelector('.title').textContent = a.title;
      // the selected auction's entry is kept current by its events; the list only fills the others in
      if (a.id !== state.selected || !state.auction || state.auction.seq == null || a.seq >= state.auction.seq) {
        button.querySelector('.price-tag').textContent = show(a.highest == null ? a.startingPrice : a.highest);
      }
      // in the API's order; an entry already in place is not moved (it keeps focus, and tests keep their element)
      const at = list.children[i];
      if (at !== li) list.insertBefore(li, at || null);
    });
    $('no-auctions').hidden = r.json.length > 0;
    if (!state.selected && !location.hash.slice(1) && r.json.length > 0) select(r.json[0].id);
  }

  function listEntry(auctionId) {
    for (const b of document.querySelectorAll('#auctions button[data-auction-id]')) {
      if (b.dataset.auctionId === auctionId) return b;
    }
    return null;
  }

  function select(auctionId) {
    if (!auctionId || auctionId === state.selected) return;
    const previous = state.selected;
    state.selected = auctionId;
    state.seq = -1;
    state.auction = null;
    clearTimeout(state.endTimer);
    if (decodeURIComponent(location.hash.slice(1)) !== auctionId) location.hash = encodeURIComponent(auctionId);
    $('auction').dataset.auctionId = auctionId;
    setLive(false);
    $('history').replaceChildren();
    $('bid-result').textContent = '';
    $('bid-result').className = 'result';
    for (const b of document.querySelectorAll('#auctions [data-auction-id]')) {
      b.setAttribute('aria-current', String(b.dataset.auctionId === auctionId));
    }
    render({id: auctionId, title: 'Loading…', highest: null, leader: null, seq: 0, status: '', endsAt: null,
      startingPrice: null, minIncrement: null, minimumNextBid: null});
    if (state.ws && state.ws.readyState === WebSocket.OPEN) {
      if (previous) send({unsubscribe: previous});
      send({subscribe: auctionId});
    }
    loadAuction(auctionId);
  }

  /** GET /auctions/{id}: the state now, whatever events this page missed. */
  async function loadAuction(auctionId) {
    let r;
    try { r = await request('GET', '/auctions/' + encodeURIComponent(auctionId)); } catch (e) { return; }
    if (auctionId !== state.selected) return;
    if (r.status === 404) {
      render({id: auctionId, title: 'Unknown auction', highest: null, leader: null, seq: 0, status: 'unknown'});
      return;
    }
    if (r.status === 200 && r.json && r.json.seq >= state.seq) applyState(r.json);
  }

  /** A full state (from the API or a node's Snapshot) at least as new as what is shown. */
  function applyState(a) {
    state.seq = a.seq;
    render(a);
    if (a.seq > 0 && a.leader && a.highest != null) addHistory({seq: a.seq, amount: a.highest, userId: a.leader});
  }

  // ---- rendering -----------------------------------------------------------------------------------------------
  function render(a) {
    state.auction = Object.assign({}, state.auction || {}, a);
    const s = state.auction;
    const closed = s.status === 'closed' || (s.status === 'open' && s.endsAt && Date.parse(s.endsAt) <= Date.now());
    const status = closed ? 'closed' : (s.status || '');
    $('title').textContent = s.title || s.id;
    $('auction-id').textContent = s.id;
    $('auction-status').textContent = status;
    $('auction-status').dataset.status = status;
    $('ends-at').textContent = s.endsAt ? new Date(s.endsAt).toLocaleString() : '';
    $('ends-at').dateTime = s.endsAt || '';
    const price = show(s.highest == null ? s.startingPrice : s.highest);
    $('price').textContent = price;
    $('leader').textContent = s.leader || '–';
    $('seq').textContent = String(s.seq || 0);
    const next = nextMinimum(s);
    $('min-bid').textContent = next ? 'at least ' + next : '';
    if (next) $('bid-amount').placeholder = next;
    $('bid-submit').disabled = closed || status === 'unknown';
    const entry = listEntry(s.id);
    if (entry && s.highest != null) entry.querySelector('.price-tag').textContent = price;
    // an open auction closes by the clock: look again once it ends
    clearTimeout(state.endTimer);
    if (!closed && s.endsAt && s.status === 'open') {
      const left = Date.parse(s.endsAt) - Date.now();
      if (left > 0 && left < 2147483647) state.endTimer = setTimeout(() => loadAuction(s.id), left + 250);
    }
  }

  function nextMinimum(s) {
    if (s.highest == null) return s.startingPrice != null ? show(s.startingPrice) : null;
    const highest = toCents(s.highest);
    if (highest == null) return null;
    if (s.minIncrement != null && toCents(s.minIncrement) != null) return fromCents(highest + toCents(s.minIncrement));
    return null;
  }

  /** One bid in the history, newest first, at most once per sequence number. */
  function addHistory(event) {
    const list = $('history');
    const seq = String(event.seq);
    const known = list.querySelector('li[data-seq="' + seq + '"]');
    if (known && (known.dataset.partial !== 'true' || !event.at)) return;
    const li = document.createElement('li');
    li.dataset.seq = seq;
    if (state.session && event.userId === state.session.userId) li.className = 'mine';
    const amount = document.createElement('span');
    amount.className = 'amount';
    amount.textContent = show(event.amount);
    const user = document.createElement('span');
    user.className = 'user';
    user.textContent = event.userId;
    li.append(amount, ' by ', user);
    if (event.at) {
      const time = document.createElement('time');
      time.dateTime = event.at;
      time.textContent = new Date(event.at).toLocaleTimeString();
      li.append(' at ', time);
    } else {
      li.dataset.partial = 'true';   // known from a state, not from its event: no time
    }
    li.append(' (#' + seq + ')');
    if (known) { known.replaceWith(li); return; }
    // keep the list ordered by sequence number, newest first
    let before = null;
    for (const other of list.children) {
      if (Number(other.dataset.seq) < event.seq) { before = other; break; }
    }
    list.insertBefore(li, before);
    while (list.children.length > HISTORY_LIMIT) list.lastElementChild.remove();
  }

  function flashPrice() {
    const p = $('price');
    p.classList.remove('flash');
    void p.offsetWidth;
    p.classList.add('flash');
  }

  // ---- connection status ---------------------------------------------------------------------------------------
  const STATUS_TEXT = {connected: 'connected', connecting: 'connecting', reconnecting: 'reconnecting',
    offline: 'offline'};

  /** #status: text and data-state one of connected/connecting/reconnecting/offline; the details in its title. */
  function setStatus(s, detail) {
    const el = $('status');
    el.textContent = STATUS_TEXT[s] || s;
    el.dataset.state = s;
    el.dataset.url = s === 'connected' ? state.wsUrl : '';
    el.dataset.user = s === 'connected' ? state.wsUser : '';
    el.title = detail || '';
    $('ws-url').textContent = detail ? 'Websocket: ' + detail + '.' : '';
  }

  /** #auction[data-live]: the node's Snapshot of the selected auction arrived on the current socket. */
  function setLive(live) {
    $('auction').dataset.live = String(live);
  }

  function seconds(ms) {
    return (ms / 1000).toFixed(1) + ' s';
  }

  function backoff(attempt) {
    const base = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * Math.pow(2, Math.min(attempt, 10)));
    return Math.round(base * (0.5 + Math.random() / 2));
  }

  // ---- websocket -----------------------------------------------------------------------------------------------
  function absolute(url) {
    return url.startsWith('/') ? (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + url : url;
  }

  function connect() {
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = null;
    if (!state.websockets.length) { setStatus('offline', 'the API announces no websocket'); return; }
    if (state.session && expired(state.session)) { logout('Your session expired; join again to bid.'); return; }
    const url = absolute(state.websockets[state.wsIndex % state.websockets.length]);
    // A socket cannot tell a refused token (401) from a node that is down. After two failures with the token, one
    // attempt goes without it; once that one is open (the node is up), see checkToken.
    const probe = !!state.session && state.tokenFailures >= 2;
    const withToken = !!state.session && !probe;
    const full = withToken
      ? url + (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(state.session.token)
      : url;
    state.wsUrl = url;
    state.wsUser = withToken ? state.session.userId : '';
    setStatus(state.attempt === 0 ? 'connecting' : 'reconnecting', 'connecting to ' + url
      + (state.attempt === 0 ? '' : ' (attempt ' + (state.attempt + 1) + ')'));
    let ws;
    try { ws = new WebSocket(full); } catch (e) { scheduleReconnect(); return; }
    state.ws = ws;
    setLive(false);
    let opened = false;
    ws.onopen = () => {
      if (state.ws !== ws) return;
      opened = true;
      state.attempt = 0;
      if (withToken) state.tokenFailures = 0;
      if (probe && state.session) checkToken(url, state.session);
      setStatus('connected', url + (state.wsUser ? ' as ' + state.wsUser : ' (watching)'));
      if (state.selected) {
        send({subscribe: state.selected});
        loadAuction(state.selected);
      }
      refreshAuctions();
    };
    ws.onmessage = (message) => {
      if (state.ws !== ws) return;
      let frame;
      try { frame = JSON.parse(message.data); } catch (e) { return; }
      onFrame(frame);
    };
    ws.onclose = () => {
      if (state.ws !== ws) return;
      if (withToken && !opened) state.tokenFailures++;
      if (probe) state.tokenFailures = 0;   // the node is down, not the token refused: the token again next time
      state.ws = null;
      setLive(false);
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    if (state.reconnectTimer) return;
    const delay = backoff(state.attempt);
    state.attempt++;
    state.wsIndex++;   // try another node next time
    setStatus('reconnecting', 'connection lost; retry in ' + seconds(delay) + ' (attempt ' + (state.attempt + 1)
      + ')');
    state.reconnectTimer = setTimeout(connect, delay);
  }

  /**
   * The node took an anonymous socket: tries the token on the same node at once. Refused, the token is what the node
   * does not accept (e.g. the API restarted with another key): the session is dropped and the page goes on watching
   * on the open socket. Accepted, the page reconnects with the token.
   */
  function checkToken(url, session) {
    let check;
    try {
      check = new WebSocket(url + (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(session.token));
    } catch (e) { return; }
    let accepted = false;
    check.onopen = () => { accepted = true; check.close(1000, 'token check'); };
    check.onclose = () => {
      if (state.session !== session) return;
      if (accepted) reconnectNow();
      else dropSession('Your session is no longer accepted; join again to bid.');
    };
  }

  /** Drops the current socket (without a reconnect of its own) and connects at once, e.g. after joining. */
  function reconnectNow() {
    const old = state.ws;
    state.ws = null;
    setLive(false);
    if (old) { old.onclose = null; old.close(1000, 'reconnecting'); }
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = null;
    state.attempt = 0;
    state.tokenFailures = 0;
    if (state.websockets.length) connect();
  }

  function send(message) {
    if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(message));
  }

  function onFrame(frame) {
    switch (frame.type) {
      case 'Snapshot':
        if (frame.auctionId !== state.selected) break;
        if (frame.seq >= state.seq) {
          applyState({id: frame.auctionId, title: frame.title, highest: frame.highest, leader: frame.leader,
            seq: frame.seq, status: frame.status, endsAt: frame.endsAt});
        }
        setLive(true);
        break;
      case 'AuctionRaised':
        if (frame.auctionId === state.selected && frame.seq > state.seq) {
          state.seq = frame.seq;
          render({highest: frame.amount, leader: frame.userId, seq: frame.seq});
          addHistory(frame);
          flashPrice();
          const mine = state.lastBid;
          if (mine && state.session && frame.userId === state.session.userId && mine.auctionId === frame.auctionId
              && mine.cents === toCents(frame.amount) && !mine.outcome) {
            mine.outcome = 'accepted';
            result('Your bid of ' + show(frame.amount) + ' is the highest (#' + frame.seq + ').', false);
          }
        }
        break;
      case 'BidRejected':
        onRejected(frame);
        break;
      case 'Error':
        console.warn('websocket node refused a message:', frame.reason, frame.message);
        break;
      default:
        break;
    }
  }

  /** A bid of this user was refused: listed under "Your rejected bids", and told in #bid-result. */
  function onRejected(frame) {
    const li = document.createElement('li');
    li.dataset.commandId = frame.commandId || '';
    li.dataset.reason = frame.reason || '';
    li.textContent = show(frame.amount) + ' on ' + frame.auctionId + ' refused (' + frame.reason + '): '
      + (frame.message || '');
    $('rejections').prepend(li);
    const mine = state.lastBid;
    const matches = mine && mine.auctionId === frame.auctionId
      && (mine.commandId ? mine.commandId === frame.commandId : mine.cents === toCents(frame.amount));
    if (matches) mine.outcome = 'refused';
    if (frame.auctionId === state.selected) {
      result('Your bid of ' + show(frame.amount) + ' was refused: ' + (frame.message || frame.reason), true);
    }
  }

  // ---- bidding -------------------------------------------------------------------------------------------------
  function result(text, isError) {
    const p = $('bid-result');
    p.textContent = text;
    p.className = 'result ' + (isError ? 'error' : 'ok');
  }

  async function bid(event) {
    event.preventDefault();
    if (!state.selected) return;
    if (!state.session) {
      result('Join with your name to bid.', true);
      $('name').focus();
      return;
    }
    const amount = $('bid-amount').value.trim();
    const cents = toCents(amount);
    if (cents == null) {
      result('Enter an amount such as 12.50 (at most two decimals).', true);
      return;
    }
    const auctionId = state.selected;
    const mine = {auctionId, cents, commandId: null, outcome: null};
    state.lastBid = mine;
    $('bid-submit').disabled = true;
    try {
      const r = await request('POST', '/auctions/' + encodeURIComponent(auctionId) + '/bids',
        {amount: fromCents(cents)}, true);
      if (r.status === 202) {
        mine.commandId = r.json && r.json.commandId;
        if (!mine.outcome && auctionId === state.selected) {
          // its outcome (AuctionRaised or BidRejected) may have come over the websocket already
          result('Bid ' + fromCents(cents) + ' sent; waiting for the auction (command ' + mine.commandId + ').', false);
        }
        if ($('bid-amount').value.trim() === amount) $('bid-amount').value = '';
      } else if (r.status === 401) {
        logout('Your session expired; please join again.');
      } else if (r.status === 429) {
        result('Too many bids; try again in ' + (r.headers.get('Retry-After') || '1') + ' s.', true);
      } else {
        result((r.json && r.json.detail) || ('The bid was not accepted (HTTP ' + r.status + ').'), true);
      }
    } catch (e) {
      result('The API cannot be reached: ' + e.message, true);
    } finally {
      const s = state.auction;
      $('bid-submit').disabled = !!s && (s.status === 'closed' || s.status === 'unknown');
    }
  }

  // ---- wiring --------------------------------------------------------------------------------------------------
  document.addEventListener('DOMContentLoaded', () => {
    $('login-form').addEventListener('submit', login);
    $('bid-form').addEventListener('submit', bid);
    $('logout').addEventListener('click', () => logout(''));
    window.addEventListener('hashchange', () => {
      const wanted = decodeURIComponent(location.hash.slice(1));
      if (wanted && wanted !== state.selected) select(wanted);
    });
    // back from offline or from a background tab: do not wait for the backoff
    const hurry = () => { if (!state.ws && state.reconnectTimer) { state.attempt = 0; connect(); } };
    window.addEventListener('online', hurry);
    document.addEventListener('visibilitychange', () => { if (!document.hidden) hurry(); });
    state.session = loadSession();
    renderSession();
    boot();
  });
})();
