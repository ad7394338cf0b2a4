"""One outbox relay as its own process, as each replica of a service runs it:

    python -m tests.reliability.relay_process <database_url> <bootstrap> <batch_size>

It says "polling" once its first pass went through (its database and broker connections made), publishes
until SIGTERM with the product's relay and producer, then prints how many rows it published (the
test checks that both relays did part of the work).
"""

from __future__ import annotations

import signal
import sys
import threading
import time

from services.common.db import make_engine
from services.common.kafka_io import make_producer
from services.common.outbox import OutboxRelay


def main(database_url: str, bootstrap: str, batch_size: str) -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    producer = make_producer(bootstrap, client_id="relay-under-test")
    relay = OutboxRelay(make_engine(database_url), producer, batch_size=int(batch_size))
    published = relay.publish_pending()  # connected to both: the test writes once each relay says so
    print("polling", flush=True)
    while not stop.is_set():
        published += relay.publish_pending()
        time.sleep(0.005)
    producer.close(5)
    print(f"published {published}", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
