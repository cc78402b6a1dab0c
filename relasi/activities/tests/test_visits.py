"""Field visits: distance maths, check-in/out (UI and API), unknown distance and setting the
customer's location from a check-in, and the attendance report's numbers and CSV."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from relasi.activities import actions, report
from relasi.activities.geo import haversine_m
from relasi.activities.models import Visit
from relasi.customers.models import Address
from relasi.customers.tests.factories import person

pytestmark = pytest.mark.django_db
MONAS = (-6.175392, 106.827153)
T0 = dt.datetime(2026, 7, 6, 1, 0, tzinfo=dt.UTC)  # 08:00 WIB


def test_haversine():
    assert haversine_m(*MONAS, *MONAS) == 0
    # Monas to Bundaran HI: about 2.2 km
    assert 2100 < haversine_m(*MONAS, -6.194948, 106.823021) < 2300
    # Jakarta to Surabaya: about 663 km in a straight line
    assert 655_000 < haversine_m(*MONAS, -7.257472, 112.752088) < 670_000
    # one thousandth of a degree of latitude is about 111 m
    assert 110 < haversine_m(0, 0, 0.001, 0) < 112


@pytest.fixture
def shop(personas):
    customer = person(personas.rep, "Toko", "Sejahtera")
    Address.objects.create(
        customer=customer,
        city="Jakarta Pusat",
        latitude=Decimal(str(MONAS[0])),
        longitude=Decimal(str(MONAS[1])),
        is_primary=True,
    )
    return customer


def test_check_in_and_out_through_the_phone_page(personas, as_user, shop):
    client = as_user(personas.rep)
    assert client.get(f"/activities/visits/check-in/?customer={shop.pk}").status_code == 200
    response = client.post(
        "/activities/visits/check-in/",
        {"customer": shop.pk, "lat": "-6.176292", "lng": "106.827153", "accuracy": "12"},
    )
    visit = Visit.objects.get()
    assert response.status_code == 302 and response.url == visit.get_absolute_url()
    assert (
        95 <= visit.in_distance_m <= 105
        and visit.in_accuracy_m == 12
        and visit.owner == personas.rep
    )
    # a second check-in while on site is refused
    again = client.post("/activities/visits/check-in/", {"customer": shop.pk})
    assert again.status_code == 200 and Visit.objects.count() == 1
    out = client.post(
        f"/activities/visits/{visit.pk}/check-out/",
        {
            "lat": "-6.180000",
            "lng": "106.827153",
            "outcome": "order",
            "notes": "Pesan 20 karton",
            "version": visit.version,
        },
    )
    assert out.status_code == 302
    visit.refresh_from_db()
    assert visit.checked_out_at and visit.outcome == "order" and visit.out_distance_m > 500
    assert visit.is_anomaly
    page = client.get(visit.get_absolute_url()).content.decode()
    assert 'id="distance-flag"' in page
    assert as_user(personas.other_rep).get(visit.get_absolute_url()).status_code == 404
    assert as_user(personas.manager).get(visit.get_absolute_url()).status_code == 200


def test_unknown_distance_and_set_location(personas, as_user):
    customer = person(personas.rep, "Tanpa", "Alamat")
    client = as_user(personas.rep)
    client.post(
        "/activities/visits/check-in/",
        {"customer": customer.pk, "lat": "-7.2575", "lng": "112.7521"},
    )
    visit = Visit.objects.get()
    assert visit.in_distance_m is None and visit.site_lat is None
    html = client.get(visit.get_absolute_url()).content.decode()
    assert 'id="set-location"' in html
    assert client.post(f"/activities/visits/{visit.pk}/set-location/").status_code == 302
    address = customer.addresses.get()
    assert address.latitude == Decimal("-7.257500") and address.longitude == Decimal("112.752100")
    visit.refresh_from_db()
    assert visit.in_distance_m == 0 and visit.site_lat == address.latitude


def test_check_in_without_position(personas, shop):
    visit = actions.check_in(personas.rep, shop)
    assert visit.in_lat is None and visit.in_distance_m is None
    with pytest.raises(ValidationError):
        actions.check_in(personas.rep, shop, lat=200, lng=0)


def _visit(rep, customer, start, minutes, lat):
    with time_machine.travel(start, tick=False) as clock:
        v = actions.check_in(rep, customer, lat=lat, lng=MONAS[1])
        if minutes is not None:
            clock.move_to(start + dt.timedelta(minutes=minutes))
            actions.check_out(rep, v, lat=lat, lng=MONAS[1])
    return v


def test_report_numbers_and_csv(personas, as_user, shop, django_assert_max_num_queries):
    near, far = MONAS[0], MONAS[0] - 0.01  # ~1.1 km away
    _visit(personas.rep, shop, T0, 30, near)
    _visit(personas.rep, shop, T0 + dt.timedelta(hours=2), 45, far)
    _visit(personas.rep, shop, T0 + dt.timedelta(hours=4), None, near)  # still on site
    _visit(personas.teammate, shop, T0, 20, near)
    _visit(personas.rep, shop, T0 + dt.timedelta(days=1), 10, near)
    rows = report.rows(Visit.objects.all())
    day1 = {r.owner: r for r in rows if r.day == dt.date(2026, 7, 6)}
    rep_row = day1[str(personas.rep)]
    assert (rep_row.visits, rep_row.minutes_on_site, rep_row.open, rep_row.anomalies) == (
        3,
        75,
        1,
        1,
    )
    assert rep_row.first_in.hour == 8 and rep_row.last_out.strftime("%H:%M") == "10:45"
    assert day1[str(personas.teammate)].visits == 1
    assert report.totals(rows)["visits"] == 5
    client = as_user(personas.manager)
    with django_assert_max_num_queries(20):
        page = client.get("/activities/visits/report/?date_from=2026-07-01&date_to=2026-07-31")
    assert page.status_code == 200 and "1:15" in page.content.decode()
    csv = b"".join(
        client.get(
            "/activities/visits/report/?date_from=2026-07-01&date_to=2026-07-31&format=csv"
        ).streaming_content
    ).decode("utf-8-sig")
    lines = csv.strip().splitlines()
    assert len(lines) == 4  # header + rep day 1, teammate day 1, rep day 2
    assert any(",3,1:15,1,1," in line for line in lines)
    # a rep sees only their own rows; an outsider none
    other = as_user(personas.other_rep).get(
        "/activities/visits/report/?date_from=2026-07-01&date_to=2026-07-31"
    )
    assert "1:15" not in other.content.decode() and "table-danger" not in other.content.decode()
    assert (
        as_user(personas.readonly).get("/activities/visits/report/?format=csv").status_code == 403
    )


def test_visits_api(personas, as_user, shop):
    client = as_user(personas.rep)
    response = client.post(
        "/api/v1/activities/visits",
        {"customer_id": shop.pk, "lat": -6.175392, "lng": 106.828153, "accuracy": 8},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert 105 < body["in_distance_m"] < 115 and body["checked_out_at"] is None
    out = client.post(
        f"/api/v1/activities/visits/{body['id']}/check-out",
        {"outcome": "follow_up", "notes": "Kembali minggu depan", "version": body["version"]},
        content_type="application/json",
    )
    assert out.status_code == 200 and out.json()["outcome"] == "follow_up"
    assert (
        as_user(personas.other_rep).get(f"/api/v1/activities/visits/{body['id']}").status_code
        == 404
    )
    listed = as_user(personas.manager).get("/api/v1/activities/visits").json()["items"]
    assert [v["id"] for v in listed] == [body["id"]]
    rows = client.get("/api/v1/activities/visits/report").json()
    assert rows[0]["visits"] == 1
    hidden = person(personas.other_rep, "Hidden", "Shop")
    assert (
        client.post(
            "/api/v1/activities/visits", {"customer_id": hidden.pk}, content_type="application/json"
        ).status_code
        == 404
    )
