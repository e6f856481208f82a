def test_home_page_for_anonymous(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Sign in" in response.data


def test_signed_in_home(client, make_user, login):
    user = make_user(full_name="Ada Lovelace")
    login(user)
    response = client.get("/")
    assert b"Welcome, Ada Lovelace" in response.data
