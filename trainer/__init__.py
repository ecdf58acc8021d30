"""The worker side of the TensorFlow Playground: Celery tasks, the sandbox and its supervisor.

Nothing here imports Django or the web side; a GPU host needs only a Redis URL.
"""
