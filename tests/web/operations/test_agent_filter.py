"""The list's agent filter: a search field whose suggestions come from a small endpoint,
scoped like the list, matching without case or accents; the chosen agent stays in the URL
as `agent=<id>` (links, export, recurring reports) and the field shows their name."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.people.models import OrgUnit
from portal.proposals.filter_choices import agent_suggestions, stores_and_agent
from tests import factories


@pytest.fixture
def people(db, org):
    """Org of tests.pipeline_helpers plus names with accents and markup: "João Araújo"
    in team A (the supervisor's), "Joana Lima" and an HTML-looking name in store B."""
    units = {u.name: u for u in db.scalars(select(OrgUnit))}
    joao = factories.collaborator(db, None, units["Equipe A"], name="João Araújo")
    joana = factories.collaborator(db, None, units["Equipe B"], name="Joana Lima")
    markup = factories.collaborator(db, None, units["Equipe B"], name="<img src=x onerror=alert(1)> Xavier")
    return {"joao": joao, "joana": joana, "markup": markup}


def _names(found):
    return [name for _, name in found]


def test_suggestions_ignore_case_and_accents_and_need_two_letters(db, org, people):
    ops = org.operations_user
    assert _names(agent_suggestions(db, ops, "JOAO")) == ["João Araújo"]
    assert _names(agent_suggestions(db, ops, "araujo")) == ["João Araújo"]
    assert _names(agent_suggestions(db, ops, "jo")) == ["Joana Lima", "João Araújo"]
    assert _names(agent_suggestions(db, ops, "lima jo")) == ["Joana Lima"]  # every word, any order
    assert agent_suggestions(db, ops, "j") == [] and agent_suggestions(db, ops, "  ") == []
    # Names starting with the typed text come before names only containing it.
    assert _names(agent_suggestions(db, ops, "an")) == ["Ana Corretora", "Joana Lima"]


def test_an_agent_and_a_supervisor_only_get_people_in_their_scope(db, org, people):
    assert _names(agent_suggestions(db, org.agent_user, "jo")) == []  # an agent sees only themself
    assert _names(agent_suggestions(db, org.agent_user, "ana")) == ["Ana Corretora"]
    # The supervisor of team A: João and Ana, never Joana nor Bruno (team B).
    assert _names(agent_suggestions(db, org.supervisor_user, "jo")) == ["João Araújo"]
    assert _names(agent_suggestions(db, org.supervisor_user, "bruno")) == []
    assert _names(agent_suggestions(db, org.operations_user, "bruno")) == ["Bruno Vendedor"]


def test_the_chosen_agents_name_is_read_only_within_scope(db, org, people):
    stores, name = stores_and_agent(db, org.operations_user, people["joana"].id)
    assert name == "Joana Lima" and [n for _, n in stores] == ["Loja Centro", "Loja Norte"]
    assert stores_and_agent(db, org.supervisor_user, people["joana"].id)[1] is None
    assert stores_and_agent(db, org.operations_user, None)[1] is None


def test_suggestions_endpoint_in_pt_br_and_escaped(client, db, org, people, sign_in):
    sign_in(org.operations_user)
    html = client.get("/operations/proposals/agents?q=jo%C3%A3o").get_data(as_text=True)
    joao = people["joao"].id
    assert f'data-agent-id="{joao}" data-agent-name="João Araújo"' in html and ">João Araújo</button>" in html
    assert "Digite ao menos 2 letras" in client.get("/operations/proposals/agents?q=j").get_data(as_text=True)
    none = client.get("/operations/proposals/agents?q=zzz").get_data(as_text=True)
    assert "Nenhum corretor encontrado." in none
    xss = client.get("/operations/proposals/agents?q=xavier").get_data(as_text=True)
    assert "<img" not in xss and "&lt;img src=x onerror=alert(1)&gt; Xavier" in xss


def test_a_store_manager_gets_only_their_stores_people(client, db, org, people, login_as):
    store_a = db.scalar(select(OrgUnit).where(OrgUnit.name == "Loja Centro"))
    manager = login_as("manager")
    factories.collaborator(db, manager, store_a, role_group="manager", name="Gerente Centro")
    html = client.get("/operations/proposals/agents?q=jo").get_data(as_text=True)
    assert "João Araújo" in html and "Joana Lima" not in html
    # An id typed into the URL from outside the scope shows no name and no rows of theirs.
    other = factories.proposal(db, org.other_client)
    page = client.get(f"/operations/proposals?agent={people['joana'].id}").get_data(as_text=True)
    assert "Joana Lima" not in page and f'data-testid="row-{other.id}"' not in page


def test_agents_and_supervisors_cannot_ask_for_suggestions(client, db, org, people, sign_in):
    sign_in(org.supervisor_user)
    assert client.get("/operations/proposals/agents?q=jo").status_code == 403


def test_the_agent_filter_round_trips_through_the_url(client, db, org, people, sign_in):
    mine = factories.proposal(db, org.client)
    theirs = factories.proposal(db, org.other_client)
    sign_in(org.operations_user)
    page = client.get(f"/operations/proposals?agent={org.agent.id}").get_data(as_text=True)
    assert f'<input type="hidden" name="agent" value="{org.agent.id}" data-agent-value>' in page
    assert 'value="Ana Corretora"' in page  # the field shows the chosen agent's name
    assert f'data-testid="row-{mine.id}"' in page and f'data-testid="row-{theirs.id}"' not in page
    assert f"/operations/proposals/export.xlsx?agent={org.agent.id}" in page
    assert f"q=agent%3D{org.agent.id}" in page  # "Salvar como relatório recorrente" keeps it
    # The typed text is not part of the list's form: it never lands in the list's URL.
    form = page.split('role="search"')[1].split("</form>")[0]
    assert 'form="agent-search"' in form and "<select" in form  # stores stay a select
    assert "Todos os corretores" not in page  # no more hundreds of agent options


def test_a_chosen_agent_with_markup_in_the_name_is_escaped_in_the_field(client, db, org, people, sign_in):
    sign_in(org.operations_user)
    page = client.get(f"/operations/proposals?agent={people['markup'].id}").get_data(as_text=True)
    assert "<img src=x" not in page and 'value="&lt;img src=x onerror=alert(1)&gt; Xavier"' in page


def test_suggestions_read_a_constant_number_of_statements(client, app, db, org, people, sign_in):
    from tests.pipeline_helpers import count_queries

    sign_in(org.operations_user)
    path = "/operations/proposals/agents?q=colab"
    client.get(path)  # warm-up (session)
    engine = app.extensions["athenas.db"]["engine"]
    with count_queries(engine) as few:
        client.get(path)
    for i in range(30):
        factories.collaborator(db, None, name=f"Colaboradora Extra {i}")
    with count_queries(engine) as many:
        html = client.get(path).get_data(as_text=True)
    assert len(many) == len(few) <= 4, (few, many)  # savepoints of the test session included
    assert html.count("data-agent-id=") == 10  # at most ten suggestions


def test_the_other_filters_show_what_was_chosen(client, db, org, people, sign_in):
    sign_in(org.operations_user)
    page = client.get("/operations/proposals?bank=facta&status=pending&product=new").get_data(as_text=True)
    form = page.split('role="search"')[1].split("</form>")[0]
    assert '<option value="pending" selected>Pendente</option>' in form
    assert '<option value="facta" selected>' in form and '<option value="new" selected>' in form
    assert form.count(" selected>") == 3
    bulk = page.split('data-testid="bulk-actions"')[1]
    assert '<option value="pending">Pendente</option>' in bulk  # the bulk move preselects nothing
