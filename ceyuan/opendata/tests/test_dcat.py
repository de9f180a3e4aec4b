"""The DCAT-AP export parses with rdflib and carries the fields DCAT-AP requires."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

EU = "http://publications.europa.eu/resource/authority/access-right/"


def _check(g: Graph) -> None:
    catalogues = list(g.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogues) == 1
    catalogue = catalogues[0]
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher):
        assert g.value(catalogue, prop) is not None, prop
    datasets = set(g.objects(catalogue, DCAT.dataset))
    assert datasets == set(g.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 3  # the not-open dataset is not exported
    for dataset in datasets:
        for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher, DCTERMS.accessRights):
            assert g.value(dataset, prop) is not None, (dataset, prop)
        distributions = list(g.objects(dataset, DCAT.distribution))
        assert distributions
        for dist in distributions:
            assert (dist, RDF.type, DCAT.Distribution) in g
            assert isinstance(g.value(dist, DCAT.accessURL), URIRef)


@pytest.mark.parametrize(
    ("path", "fmt"), [("/data/catalog.ttl", "turtle"), ("/data/catalog.jsonld", "json-ld")]
)
def test_dcat_export_has_the_required_dcat_ap_fields(
    catalogue: Any, client: Client, path: str, fmt: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    g = Graph().parse(data=response.content.decode(), format=fmt)
    _check(g)
    rights = {str(o) for o in g.objects(None, DCTERMS.accessRights)}
    assert rights == {EU + "PUBLIC", EU + "RESTRICTED"}
    titles = {str(o) for o in g.objects(None, DCTERMS.title)}
    assert "北京市公交站点数据" in titles and "Beijing bus stops" in titles
    assert "城市电网拓扑数据" not in titles
