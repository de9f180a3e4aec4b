"""DCAT-AP export of the catalogue (rdflib): JSON-LD and Turtle.

Only what the public may see is exported (published, not "not open"). Mapping:

- catalogue → ``dcat:Catalog`` (dct:title, dct:description, dct:publisher, dcat:dataset)
- dataset → ``dcat:Dataset``: dct:title / dct:description in @zh and @en, dct:publisher
  (``foaf:Agent``), dct:identifier, dcat:keyword, dcat:theme (as ``skos:Concept``),
  dct:spatial, dct:temporal (``dct:PeriodOfTime``), dct:accrualPeriodicity (EU frequency
  vocabulary), dct:accessRights (EU access-right vocabulary, from the effective access),
  dcat:contactPoint (``vcard:Kind``), dct:license, owl:versionInfo, dct:issued, dct:modified
- resource → ``dcat:Distribution`` with dcat:accessURL (always), dcat:downloadURL (files),
  dct:format, dcat:byteSize
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, SKOS, XSD

from . import levels
from .models import Dataset

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
FREQ = Namespace("http://publications.europa.eu/resource/authority/frequency/")
_FREQ = {
    "CONT": "CONT",
    "DAILY": "DAILY",
    "WEEKLY": "WEEKLY",
    "MONTHLY": "MONTHLY",
    "QUARTERLY": "QUARTERLY",
    "ANNUAL": "ANNUAL",
    "IRREG": "IRREG",
    "NEVER": "NEVER",
}


def catalogue_graph(datasets: Iterable[Dataset], url: Callable[[str], str]) -> Graph:
    """``url`` turns a site path into an absolute URL."""
    g = Graph()
    for prefix, ns in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("vcard", VCARD),
        ("skos", SKOS),
    ):
        g.bind(prefix, ns)
    catalogue = URIRef(url("/data/catalog"))
    g.add((catalogue, RDF.type, DCAT.Catalog))
    g.add((catalogue, DCTERMS.title, Literal("北京市公共数据开放目录", lang="zh")))
    g.add((catalogue, DCTERMS.title, Literal("Beijing public data catalogue", lang="en")))
    g.add((catalogue, DCTERMS.description, Literal("策源平台开放的公共数据集。", lang="zh")))
    g.add(
        (
            catalogue,
            DCTERMS.description,
            Literal("Public datasets opened on the Ceyuan platform.", lang="en"),
        )
    )
    g.add((catalogue, FOAF.homepage, URIRef(url("/data/"))))
    platform = URIRef(url("/organisations/"))
    g.add((platform, RDF.type, FOAF.Agent))
    g.add((platform, FOAF.name, Literal("策源 Ceyuan")))
    g.add((catalogue, DCTERMS.publisher, platform))
    for dataset in datasets:
        node = _dataset(g, dataset, url)
        g.add((catalogue, DCAT.dataset, node))
    return g


def _agent(g: Graph, org: Any, url: Callable[[str], str]) -> URIRef:
    node = URIRef(url(f"/organisations/{org.pk}/"))
    g.add((node, RDF.type, FOAF.Agent))
    g.add((node, FOAF.name, Literal(org.name_zh, lang="zh")))
    if org.name_en:
        g.add((node, FOAF.name, Literal(org.name_en, lang="en")))
    return node


def _dataset(g: Graph, d: Dataset, url: Callable[[str], str]) -> URIRef:
    node = URIRef(url(f"/data/datasets/{d.name}/"))
    g.add((node, RDF.type, DCAT.Dataset))
    g.add((node, DCTERMS.identifier, Literal(str(d.uuid))))
    g.add((node, DCTERMS.title, Literal(d.title_zh, lang="zh")))
    if d.title_en:
        g.add((node, DCTERMS.title, Literal(d.title_en, lang="en")))
    g.add((node, DCTERMS.description, Literal(d.description_zh or d.title_zh, lang="zh")))
    if d.description_en:
        g.add((node, DCTERMS.description, Literal(d.description_en, lang="en")))
    g.add((node, DCTERMS.publisher, _agent(g, d.publisher, url)))
    g.add((node, DCTERMS.accessRights, URIRef(levels.EU_ACCESS_RIGHTS[d.access])))
    g.add((node, DCTERMS.accrualPeriodicity, FREQ[_FREQ.get(d.frequency, "IRREG")]))
    g.add((node, OWL.versionInfo, Literal(d.version)))
    g.add((node, DCTERMS.license, Literal(d.licence)))
    if d.published_at:
        g.add((node, DCTERMS.issued, Literal(d.published_at.isoformat(), datatype=XSD.dateTime)))
    g.add((node, DCTERMS.modified, Literal(d.updated_at.isoformat(), datatype=XSD.dateTime)))
    g.add((node, DCAT.landingPage, node))
    for word in d.keywords:
        g.add((node, DCAT.keyword, Literal(word, lang="zh")))
    for theme in d.themes.all():
        concept = URIRef(url(f"/data/?theme={theme.code}"))
        g.add((concept, RDF.type, SKOS.Concept))
        g.add((concept, SKOS.prefLabel, Literal(theme.title_zh, lang="zh")))
        g.add((node, DCAT.theme, concept))
    if d.spatial:
        g.add((node, DCTERMS.spatial, Literal(d.spatial, lang="zh")))
    if d.temporal_start or d.temporal_end:
        period = BNode()
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if d.temporal_start:
            g.add(
                (period, DCAT.startDate, Literal(d.temporal_start.isoformat(), datatype=XSD.date))
            )
        if d.temporal_end:
            g.add((period, DCAT.endDate, Literal(d.temporal_end.isoformat(), datatype=XSD.date)))
        g.add((node, DCTERMS.temporal, period))
    if d.contact_name or d.contact_email:
        contact = BNode()
        g.add((contact, RDF.type, VCARD.Kind))
        if d.contact_name:
            g.add((contact, VCARD.fn, Literal(d.contact_name)))
        if d.contact_email:
            g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{d.contact_email}")))
        g.add((node, DCAT.contactPoint, contact))
    for r in d.resources.all():
        dist = URIRef(url(f"/data/resources/{r.uuid}/"))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(r.name)))
        if r.kind == "file":
            download = URIRef(url(f"/data/resources/{r.uuid}/download/"))
            g.add((dist, DCAT.accessURL, download))
            g.add((dist, DCAT.downloadURL, download))
            if r.size:
                g.add((dist, DCAT.byteSize, Literal(r.size, datatype=XSD.nonNegativeInteger)))
        else:
            g.add((dist, DCAT.accessURL, URIRef(r.url)))
        if r.format:
            g.add((dist, DCTERMS.format, Literal(r.format)))
        g.add((dist, DCTERMS.license, Literal(d.licence)))
        g.add((node, DCAT.distribution, dist))
    return node


def public_datasets() -> Any:
    return (
        Dataset.objects.filter(status=Dataset.Status.PUBLISHED)
        .exclude(access=levels.NON_PUBLIC)
        .select_related("publisher")
        .prefetch_related("themes", "resources")
        .order_by("pk")
    )
