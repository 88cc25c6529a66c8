package dev.trench.examples.auction.store;

/** The {@link AuctionStoreContractTest} on the in-memory store; a second worker shares the same instance. */
class InMemoryAuctionStoreTest extends AuctionStoreContractTest {
    private InMemoryAuctionStore shared;

    @Override
    protected AuctionStore newStore() {
        shared = new InMemoryAuctionStore();
        return shared;
    }

    @Override
    protected AuctionStore anotherWorker() {
        return shared;
    }
}
