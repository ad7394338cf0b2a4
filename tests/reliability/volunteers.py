"""Volunteers answering their offers while the test does something nasty to the system."""

from __future__ import annotations

import threading
import zlib
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.reliability.service_calls import call


class Volunteers:
    """Answers every pending offer: accepts most, declines about one in ``decline_one_in``."""

    def __init__(self, matching_url: str, decline_one_in: int = 8, at_once: int = 4):
        self.matching_url = matching_url
        self.decline_one_in = decline_one_in
        self.stop = threading.Event()
        self.accepted: list[str] = []  # offer ids matching said yes to
        self.pool = ThreadPoolExecutor(at_once)  # several people answer at the same moment
        self.thread = threading.Thread(target=self._answer_until_stopped, name="volunteers", daemon=True)

    def __enter__(self) -> "Volunteers":
        self.thread.start()
        return self

    def __exit__(self, *_) -> None:
        self.stop.set()
        self.thread.join(60)
        self.pool.shutdown()

    def _answer_until_stopped(self) -> None:
        while not self.stop.is_set():
            try:
                self._answer_pending()
            except httpx.HTTPError:
                pass  # the service is busy or restarting: answer on the next round
            self.stop.wait(0.2)

    def _answer_pending(self) -> None:
        page = call("matching", self.matching_url, "GET", "/offers", params={"status": "pending", "limit": 200})
        list(self.pool.map(self._answer, page.json()["items"]))

    def _answer(self, offer: dict) -> None:
        verb = "decline" if zlib.crc32(offer["id"].encode()) % self.decline_one_in == 0 else "accept"
        try:
            answer = call(
                "matching",
                self.matching_url,
                "POST",
                f"/offers/{offer['id']}/{verb}",
                actor=("volunteer", offer["member_id"]),
                json={"member_id": offer["member_id"]},
            )
        except httpx.HTTPError:
            return  # asked again on the next round if still pending
        if verb == "accept" and answer.status_code == 200:
            self.accepted.append(offer["id"])
