import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_student_signs_in_through_the_form_and_reaches_the_dashboard(page, browser_login, student):
    browser_login(page, "student")
    assert page.get_by_role("heading", name="Sam Student").is_visible()
    assert page.console_errors == []
