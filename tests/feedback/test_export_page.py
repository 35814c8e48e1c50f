"""Issue 14 point 14: the export page no longer lists every room (search-as-you-type instead)."""

import pytest
from django.urls import reverse

from tests import factories as f


@pytest.fixture
def many_rooms(unit):
    return [f.RoomFactory(unit=unit, number=str(100 + i), floor=1) for i in range(60)]


@pytest.mark.django_db
def test_the_export_page_does_not_list_the_rooms_and_stays_small(manager_client, many_rooms):
    html = manager_client.get(reverse("feedback:export-orders")).content.decode()
    assert 'name="room"' in html and 'type="hidden" name="room"' in html
    assert "5区37栋1单元159室" not in html  # no room options in the page
    assert 'data-combobox="/feedback/exports/rooms/"' in html


@pytest.mark.django_db
def test_room_search_answers_ten_matches_at_most_in_a_flat_number_of_queries(
    manager_client, many_rooms, django_assert_num_queries
):
    url = reverse("feedback:export-room-options")
    # session, user with roles, the rooms
    with django_assert_num_queries(3):
        html = manager_client.get(url, {"q": "5-37-1-1"}).content.decode()
    assert html.count('role="option"') == 10 and "5区37栋1单元100室" in html
    assert manager_client.get(url, {"q": "5-37-1-159"}).content.decode().count('role="option"') == 1
    assert 'role="option"' not in manager_client.get(url, {"q": ""}).content.decode()


@pytest.mark.django_db
def test_room_search_needs_a_login(client):
    response = client.get(reverse("feedback:export-room-options"), {"q": "5-37"})
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_the_picked_room_filters_the_export_and_stays_shown(manager_client, make_order, room, many_rooms):
    make_order("received")
    make_order("received", room=many_rooms[0])
    url = reverse("feedback:export-orders")
    page = manager_client.get(url, {"room": room.id}).content.decode()
    assert f'value="{room.label}"' in page
    import io

    from openpyxl import load_workbook

    content = manager_client.get(url, {"room": room.id, "export": "1"}).content
    rows = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))
    locations = [r[5] for r in rows if r and r[0] and str(r[0])[:8].isdigit()]
    assert locations == [room.label]
