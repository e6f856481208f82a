from tests.routes import Route, everyone

ROUTES = [
    Route("main.index", "/", everyone(200)),
    # Anyone may choose the language; back to the page it was pressed on.
    Route("main.set_language", "/language", everyone(302), method="POST",
          data={"locale": "fr", "next": "/"}),
    Route("main.favicon", "/favicon.ico", everyone(301)),
    Route("main.healthz", "/healthz", everyone(200)),
    Route("static", "/static/css/app.css", everyone(200)),
]
