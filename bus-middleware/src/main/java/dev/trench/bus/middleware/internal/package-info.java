/**
 * Implementation details of the standard middleware. Not an API: anything here may change in any release.
 */
package dev.trench.bus.middleware.internal;
