"""A Streamlit session driven over the browser's WebSocket protocol, without a browser.

``/_stcore/stream``, protobuf ``BackMsg``/``ForwardMsg``, as the Streamlit frontend
speaks it: used by ``bench_concurrent.py`` (many simulated users) and by tests that
open pages of a running server (``tests/geo/test_numba_cache.py``).

A *run* is one script run the user waits for: a ``rerun_script`` message sent with
the changed widget value (or the page to open), until the server's
``script_finished`` message for a run that was not cut short by ``st.rerun``.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

FINISHED_EARLY_FOR_RERUN = 2


@dataclass
class Run:
    """One request as the client saw it."""

    seconds: float
    nbytes: int
    errors: list[str] = field(default_factory=list)


class Browser:
    """One Streamlit session driven over the browser's WebSocket protocol.

    It keeps what a browser keeps between runs: the widgets on screen (id,
    options), the app's pages, and the hashes of cacheable messages it has
    received (sent back so the server may answer with references). Only the
    widget that changed is sent with a rerun; the server keeps the others.

    Parameters
    ----------
    port : int
        Port of the Streamlit server (or of the proxy in front of it).
    host : str
        Its address.
    cookie : str, optional
        ``Cookie`` header of the WebSocket request (a proxy's route cookie).
    headers : dict, optional
        More headers of the WebSocket request (``X-Forwarded-For`` as a proxy sets it).
    """

    def __init__(self, port: int, host: str = "127.0.0.1", cookie: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.uri = f"ws://{host}:{port}/_stcore/stream"
        self.origin = f"http://{host}:{port}"
        self.cookie = cookie
        self.headers = dict(headers or {})
        self.ws: Any = None
        self.widgets: dict[str, Any] = {}  # user key (or element type) -> element proto
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.cached: set[str] = set()
        self.by_hash: dict[str, Any] = {}  # cached message hash -> its element, as a browser keeps
        self.page_hash = ""
        self.session_id = ""
        self.texts: list[str] = []  # markdown, titles and alerts of the last run

    async def connect(self) -> None:
        """Open the WebSocket (a new Streamlit session)."""
        from websockets.asyncio.client import connect

        headers = {**self.headers, **({"Cookie": self.cookie} if self.cookie else {})} or None
        self.ws = await connect(self.uri, subprotocols=["streamlit"], max_size=None,
                                open_timeout=60, ping_interval=None, origin=self.origin,
                                additional_headers=headers)

    async def close(self) -> None:
        """Close the session."""
        if self.ws is not None:
            await self.ws.close()

    async def rerun(self, states: list | None = None, page: str | None = None,
                    timeout: float = 600.0) -> Run:
        """Send a rerun with changed widget ``states`` (or open ``page``); wait for it."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        cs = msg.rerun_script
        if page is not None:
            self.page_hash = self.pages.get(page, "")
            cs.page_name = page
        cs.page_script_hash = self.page_hash
        for s in states or []:
            cs.widget_states.widgets.append(s)
        cs.cached_message_hashes.extend(sorted(self.cached))
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        run = await asyncio.wait_for(self._receive(), timeout)
        run.seconds = time.perf_counter() - t0
        return run

    async def clear_cache(self) -> None:
        """Ask the server to clear ``st.cache_data`` and ``st.cache_resource`` (all users)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.clear_cache = True
        await self.ws.send(msg.SerializeToString())

    async def login(self, user: str, password: str) -> Run:
        """Open the app and log in through its login form; return the login run."""
        await self.rerun()
        f = self.widgets
        return await self.rerun(states=[
            state(f["login_user"].id, string_value=user),
            state(f["login_pw"].id, string_value=password),
            state(f["_submit"].id, trigger_value=True)])

    async def _receive(self) -> Run:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        run = Run(0.0, 0)
        widgets: dict[str, Any] = {}
        texts: list[str] = []
        while True:
            data = await self.ws.recv()
            run.nbytes += len(data)
            m = ForwardMsg()
            m.ParseFromString(data)
            if m.metadata.cacheable and m.hash:
                self.cached.add(m.hash)
                self.by_hash[m.hash] = m
            kind = m.WhichOneof("type")
            if kind == "ref_hash":  # a message this browser has: the server sent its hash
                if m.ref_hash not in self.by_hash:
                    run.errors.append(f"unknown cached message {m.ref_hash}")
                    continue
                m = self.by_hash[m.ref_hash]
                kind = m.WhichOneof("type")
            if kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in m.navigation.app_pages}
            elif kind == "new_session":
                self.session_id = m.new_session.initialize.session_id or self.session_id
            elif kind == "page_info_changed":
                continue
            elif kind == "delta" and m.delta.WhichOneof("type") == "new_element":
                self._element(m.delta.new_element, widgets, texts, run)
            elif kind == "script_finished":
                if m.script_finished == FINISHED_EARLY_FOR_RERUN:
                    widgets, texts = {}, []  # st.rerun: the next run redraws the page
                    continue
                if m.script_finished != 0:
                    run.errors.append(f"script_finished={m.script_finished}")
                self.widgets = widgets
                self.texts = texts
                return run

    @staticmethod
    def _element(el: Any, widgets: dict[str, Any], texts: list[str], run: Run) -> None:
        kind = el.WhichOneof("type")
        sub = getattr(el, kind)
        if kind == "exception":
            run.errors.append(f"{sub.type}: {sub.message[:200]}")
        elif kind == "alert":
            texts.append(sub.body)
            if sub.format == 1:  # st.error
                run.errors.append(f"error: {sub.body[:200]}")
        elif kind in ("markdown", "heading"):
            texts.append(sub.body)
        elif kind == "component_instance":
            widgets["_component"] = sub
        elif kind == "button" and sub.is_form_submitter:
            widgets["_submit"] = sub
        else:
            wid = getattr(sub, "id", "") if hasattr(sub, "id") else ""
            if isinstance(wid, str) and wid.startswith("$$ID-"):
                widgets[wid.split("-", 2)[2]] = sub

    def widget(self, key_prefix: str) -> Any:
        """The widget whose user key starts with ``key_prefix`` (language suffix aside)."""
        for k, w in self.widgets.items():
            if k.startswith(key_prefix):
                return w
        raise KeyError(f"no widget {key_prefix!r} on the page; have {sorted(self.widgets)}")


def state(wid: str, **value: Any) -> Any:
    """A ``WidgetState`` message: widget ``wid`` with one value field set."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    s = WidgetState(id=wid)
    for k, v in value.items():
        if k == "string_array_value":
            s.string_array_value.data.extend(v)
        else:
            setattr(s, k, v)
    return s
