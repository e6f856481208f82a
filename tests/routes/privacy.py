"""Personal data: the privacy page (everyone), a person's own data, and the erasure of the
matrix world's other person (``{user}``: no stay in progress), by administrators only."""

from tests.routes import Route, admin_only, everyone, signed_in

ROUTES = [
    Route("privacy.privacy", "/privacy", everyone(200)),
    Route("privacy.my_data", "/account/data", signed_in(200)),
    Route("privacy.download_my_data", "/account/data.zip", signed_in(200)),
    Route("privacy.erase_user", "/admin/people/{user}/erase", admin_only(200)),
    Route("privacy.erase_user", "/admin/people/{user}/erase", admin_only(302), method="POST"),
    Route("api.export_me", "/api/v1/me/export", signed_in(200, anonymous=401)),
]
