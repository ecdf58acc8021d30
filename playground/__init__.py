"""The web side of the TensorFlow Playground: Django, Channels and the run API."""
