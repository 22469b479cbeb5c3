def test_home_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/tai-khoan/dang-nhap/" in response["Location"]


def test_home_shows_the_users_area(client, dost_lamdong):
    client.force_login(dost_lamdong)
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert "Lâm Đồng" in response.content.decode()
