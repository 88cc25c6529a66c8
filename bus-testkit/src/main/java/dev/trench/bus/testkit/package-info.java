/**
 * Testing commands without a network, threads or sleeps: the given/when/then
 * {@link dev.trench.bus.testkit.CommandFixture}, a {@link dev.trench.bus.testkit.ManualClock} and
 * {@link dev.trench.bus.testkit.ManualScheduler} so that retry delays pass in virtual time, and recording doubles of
 * the SPIs ({@link dev.trench.bus.testkit.RecordingEventPublisher}, {@link dev.trench.bus.testkit.RecordingCommandSender}).
 */
package dev.trench.bus.testkit;
