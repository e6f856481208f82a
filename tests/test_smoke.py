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
