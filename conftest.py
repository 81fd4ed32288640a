import os

# Tests run in production mode (DEBUG off), which needs a key.
os.environ.setdefault("ONETHREAD_SECRET_KEY", "test-only-secret-key-never-used-in-production")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
