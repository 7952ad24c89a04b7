"""Reliability drivers: real servers on loopback, bounded in time, used by the tests and runnable longer."""
