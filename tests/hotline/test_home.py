import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_home_requires_login(anon_client):
    response = anon_client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username, greeting",
    [("dispatcher", "调度员"), ("leader_water", "班组长"), ("worker_water", "维修工"), ("manager", "管理")],
)
def test_home_greets_each_demo_user_in_chinese_with_live_counts(client, username, greeting):
    call_command("seed_demo", scale="small")
    assert client.login(username=username, password="demo-10196")
    page = client.get("/").content.decode()
    assert greeting in page
    assert "在岗值班" in page
    # 96 homes in the small demo site.
    assert ">96<" in page


@pytest.mark.django_db
def test_login_page_is_chinese(anon_client):
    page = anon_client.get("/login/").content.decode()
    assert "登录" in page
