import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_home_requires_login(anon_client):
    response = anon_client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username, todo",
    [
        ("dispatcher", "/desk/intake/"),
        ("leader_water", "/orders/crew/"),
        ("worker_water", "/orders/mine/"),
        ("manager", "/feedback/dashboard/"),
    ],
)
def test_each_demo_user_lands_on_their_to_do_list(client, username, todo):
    call_command("seed_demo", scale="small")
    assert client.login(username=username, password="demo-10196")
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == todo
    assert client.get(todo).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username, greeting",
    [("dispatcher", "调度员"), ("leader_water", "班组长"), ("worker_water", "维修工"), ("manager", "管理")],
)
def test_the_overview_greets_each_demo_user_in_chinese_with_live_counts(client, username, greeting):
    call_command("seed_demo", scale="small")
    assert client.login(username=username, password="demo-10196")
    page = client.get("/overview/").content.decode()
    assert greeting in page
    assert "在岗值班" in page
    # 96 homes in the small demo site.
    assert ">96<" in page


@pytest.mark.django_db
def test_a_user_without_a_role_or_crew_row_gets_the_overview_at_home(client):
    from tests import factories as f

    user = f.UserFactory(username="nobody")
    leader_without_row = f.UserFactory(username="lonely", role="crew_leader")
    for someone in (user, leader_without_row):
        client.force_login(someone)
        response = client.get("/")
        assert response.status_code == 200 and "hotline/home.html" in [t.name for t in response.templates]


@pytest.mark.django_db
def test_login_page_is_chinese(anon_client):
    page = anon_client.get("/login/").content.decode()
    assert "登录" in page
