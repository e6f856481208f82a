"""The benchmark's ceiling: a plain hello-world Flask app, no database, no session.

``bench/run.py`` serves it under the same gunicorn settings as the tracker, on its own port,
so that each page's rate reads as a share of what the server and the machine can do at all.
"""

from flask import Flask


def create_app():
    """The smallest Flask app that answers a page."""
    app = Flask(__name__)

    @app.get("/")
    def hello():
        return "Hello, world!"

    return app
