import pytest

from tests import factories as f


@pytest.mark.browser
def test_dispatcher_logs_in_and_sees_the_home_page_in_chinese(page, live_server, login, artifacts):
    f.UserFactory(username="desk", role="dispatcher", first_name="李调度")
    login(page, "desk")
    page.goto(f"{live_server.url}/overview/")
    assert "李调度，您好" in page.inner_text("h1")
    assert "调度员" in page.inner_text("main")
    page.screenshot(path=str(artifacts / "home-dispatcher.png"), full_page=True)
