"""The privacy page: for everyone, with the retention periods and the contact of config."""


def test_the_privacy_page_says_how_long_and_whom_to_ask(app, client):
    app.config.update(DOCUMENT_RETENTION_YEARS=7, PERSON_RETENTION_YEARS=12,
                      PRIVACY_CONTACT="dpo@example.org")
    try:
        page = client.get("/privacy")
    finally:
        app.config.update(DOCUMENT_RETENTION_YEARS=5, PERSON_RETENTION_YEARS=10,
                          PRIVACY_CONTACT="privacy@localhost")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "erased 7 years after" in text
    assert "unused for 12 years" in text
    assert 'href="mailto:dpo@example.org"' in text


def test_every_page_links_to_it(client):
    assert 'href="/privacy"' in client.get("/auth/login").get_data(as_text=True)


def test_it_reads_in_french(client, french):
    page = client.get("/privacy", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert 'lang="fr"' in page.get_data(as_text=True)
