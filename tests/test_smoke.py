def test_home_page_for_anonymous(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Sign in" in response.data


def test_signed_in_home(client, make_user, login):
    user = make_user(full_name="Ada Lovelace")
    login(user)
    response = client.get("/")
    # Said once, by the sign-in's message, not again by the heading.
    assert response.get_data(as_text=True).count("Welcome, Ada Lovelace") == 1
    assert client.get("/").get_data(as_text=True).count("Welcome") == 0
    assert b"Your mobility" in response.data


def test_a_script_may_import_a_service_before_creating_the_app(tmp_path):
    """Scripts (bench/, maintenance one-offs) import services first, then create the app."""
    import subprocess
    import sys
    from pathlib import Path

    script = ("from tracker.auth.services import create_user\n"
              "from tracker.jobs.services import start_job\n"
              "from tracker import create_app\n"
              "import sqlalchemy.orm\n"
              "create_app()\n"
              "sqlalchemy.orm.configure_mappers()\n"
              "print('configured')\n")
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True,
        cwd=Path(__file__).resolve().parent.parent,
        env={"PATH": "", "DATABASE_URL": f"sqlite:///{tmp_path / 'script.db'}",
             "TRACKER_ENV": "development"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "configured"
