"""kafka-python's "blocking the event loop" warning: kept for real stalls, dropped for GIL waits."""

from __future__ import annotations

import logging

from services.common.observability import KAFKA_SELECTOR_LOGGER, SlowKafkaStepFilter, configure_logging

STEP = (
    "Task <kafka.net.selector.Task object at 0x7f> ran for %.3fs (>0.100s threshold). It is blocking the event "
    "loop -- likely a tight sync loop inside a coroutine. Other pollers will time out."
)


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord(KAFKA_SELECTOR_LOGGER, logging.WARNING, __file__, 1, message, None, None)


def test_a_step_slowed_by_the_interpreter_lock_is_not_reported_but_a_stall_is():
    noise = SlowKafkaStepFilter(threshold_s=2.0)

    assert noise.filter(record(STEP % 0.25)) is False
    assert noise.filter(record(STEP % 1.999)) is False
    assert noise.filter(record(STEP % 3.5)) is True
    assert noise.filter(record("Selector got READ event without reader...")) is True


class Collected(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_services_log_kafka_stalls_only():
    configure_logging("test-service")
    collected = Collected()
    logging.getLogger().addHandler(collected)
    try:
        logging.getLogger(KAFKA_SELECTOR_LOGGER).warning(STEP % 0.4)
        logging.getLogger(KAFKA_SELECTOR_LOGGER).warning(STEP % 4.0)
    finally:
        logging.getLogger().removeHandler(collected)

    assert [message[-60:] for message in collected.messages] == [(STEP % 4.0)[-60:]]
    assert "4.000s" in collected.messages[0]
