"""kafka-python checks every record batch it reads with CRC-32C: the C extension must be the one
it uses, the pure-Python fallback costs most of a consumer's time on large reads."""

import crc32c
from kafka.record import util


def test_kafka_python_checks_record_batches_with_the_c_extension():
    assert util.calc_crc32c.__defaults__[0] is crc32c.crc32c
    assert util.calc_crc32c(memoryview(b"123456789")) == 0xE3069283  # the CRC-32C check value
