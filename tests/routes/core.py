from tests.routes import Route, everyone

ROUTES = [
    Route("main.index", "/", everyone(200)),
    Route("main.favicon", "/favicon.ico", everyone(301)),
    Route("main.healthz", "/healthz", everyone(200)),
    Route("static", "/static/css/app.css", everyone(200)),
    Route("bootstrap.static", "/bootstrap/static/css/bootstrap.min.css", everyone(200)),
]
