package dev.trench.bus;

/** A middleware broke the chain's contract: it returned nothing, or called {@code proceed} twice. */
public class MiddlewareContractException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public MiddlewareContractException(String message) {
        super(message);
    }
}
