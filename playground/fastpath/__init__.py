"""Framework internals adapted for the run path: one module per framework, re-checked on upgrade.

Each adaptation stays while `bench/fastpath_ab.py` (or, for gains below its noise,
`bench/fastpath_micro.py`) shows its gain, `pooled` for the isolation it gives (figures:
docs/architecture.md, "The run path"); tests/playground/test_fastpath.py fails when an upgrade
breaks it.

- django.HttpHandler: no fresh thread per request, whose join after the response held the loop.
- django.HttpHandler.make_view_atomic: `request_started`'s check runs in the view's thread, hopless.
- django.OnLoop (Security, Session, Locale, Common, Csrf, FrameOptions): compute-only hooks, no hop.
- django.pooled: a sync API view runs in one hop, on threads that keep their DB connections.
- whitenoise.StaticFiles: WhiteNoise looks a request up in its table on the loop, not in a thread.
- kombu.Transport: one redis-py client per broker channel, not a new one per published message.
- django_redis.ConnectionFactory: one redis-py client per Redis URL, not a new one per request.
- channels.HopFreeWebsocketConsumer: no thread hop to close DB connections around each message.
- autobahn.install: a socket's debug dump of its options is formatted only when it is logged.
"""
