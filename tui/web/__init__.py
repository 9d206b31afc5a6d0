"""`ardoise web`: the app served to browsers, every session on one relay of the feed.

`command.py` puts it together: the relay (`relay.py`, `ardoise serve` in a child process on
127.0.0.1), the web site (`site.py`: the page, its websocket, the session cap) and one app
process per browser session (`sessions.py`), driven through textual-serve's protocol. The relay
and the apps are started through `launch.py`, so that they end with `ardoise web`.
"""
