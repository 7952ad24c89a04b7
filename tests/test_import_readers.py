"""Readers: Bruxelles Social JSON (streamed), Belgian CSV variants, Open Referral HSDS folders and zips."""

from __future__ import annotations

import json
import zipfile

import pytest

from directory_import.readers import RejectedRecord, SourceError, detect_format, read_all, read_source


@pytest.mark.parametrize(
    "name",
    [
        "directory_utf8_bom_semicolon_crlf.csv",
        "directory_utf8_comma_lf.csv",
        "directory_cp1252_semicolon_crlf.csv",
    ],
)
def test_readers_belgian_csv_variants_read_the_same_records(data_dir, name):
    records, rejected = read_all(read_source(data_dir / name))
    assert rejected == []
    assert [r.source_id for r in records] == [str(i) for i in range(1001, 1009)]
    epicerie = records[3]
    assert epicerie.name_fr == "Épicerie sociale Le Panier"
    assert epicerie.phones == ("123", "0475 12 34 56")
    assert epicerie.postcode == "1080"
    assert records[1].name_nl == "Centrum voor Geestelijke Gezondheidszorg De Groene Hond"
    assert records[4].parent_source_id == "1003"
    assert records[0].street_nl == "Meridiaanstraat"


def test_readers_csv_keeps_unknown_columns_in_raw(tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text("id;nameFr;wachtlijst\n7;Maison Test;3 maanden\n", encoding="utf-8")
    (record,), _ = read_all(read_source(path))
    assert record.raw_dict() == {"id": "7", "nameFr": "Maison Test", "wachtlijst": "3 maanden"}


def test_readers_csv_malformed_rows_come_with_their_line(data_dir):
    records, rejected = read_all(read_source(data_dir / "directory_malformed.csv"))
    assert rejected == [
        RejectedRecord(
            3,
            "this row has 5 cells where the header has 23 columns",
            "cell_count",
            (("cells", "5"), ("columns", "23")),
        )
    ]
    assert [(r.line, r.source_id) for r in records] == [(2, "1001"), (4, ""), (5, "1004"), (6, "1003")]


def test_readers_csv_line_numbers_count_multiline_cells(tmp_path):
    path = tmp_path / "multiline.csv"
    path.write_bytes('id;nameFr;descriptionFr\r\n1;Un;"deux\r\nlignes"\r\n2;Deux\r\n3;Trois;ok\r\n'.encode())
    records, rejected = read_all(read_source(path))
    assert [(r.line, r.source_id) for r in records] == [(2, "1"), (5, "3")]
    assert [r.line for r in rejected] == [4]


def test_readers_csv_without_id_column_is_refused(tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("nom;adresse\nx;y\n", encoding="utf-8")
    with pytest.raises(SourceError, match="no 'id'"):
        list(read_source(path))


def test_readers_json_streams_records_and_keeps_unknown_fields(data_dir):
    records, rejected = read_all(read_source(data_dir / "directory_v1.json"))
    assert rejected == [] and len(records) == 8
    assert records[0].raw_dict()["accessibility"] == {"wheelchair": True, "notes": "rampe à l'arrière"}
    assert records[0].categories[0].label_nl == "Wijkgezondheidscentrum"


def test_readers_json_accepts_a_bare_list(tmp_path):
    path = tmp_path / "list.json"
    path.write_text(json.dumps([{"id": "a", "nameNl": "Buurthuis"}, 3]), encoding="utf-8")
    records, rejected = read_all(read_source(path))
    assert [r.name_nl for r in records] == ["Buurthuis"]
    assert [r.line for r in rejected] == [2]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"organisations": [{"id": 1, "nameFr": "x"}, {"id": ', "broken"),
        (b'{"somethingElse": []}', "no list of organisations"),
        (b"", "empty"),
    ],
)
def test_readers_json_broken_files_raise(tmp_path, content, message):
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=message):
        list(read_source(path, "json" if content else "auto"))


def test_readers_hsds_folder_joins_the_tables(data_dir):
    records, rejected = read_all(read_source(data_dir / "hsds"))
    assert [r.line for r in rejected] == [6]
    first, second, nameless = records
    assert (first.source_id, first.name_fr, first.postcode, first.phones) == (
        "org-1",
        "Maison médicale Le Méridien",
        "1210",
        ("02 218 45 67",),
    )
    assert [c.label_fr for c in first.categories] == ["Médecine générale", "Kinésithérapie"]
    assert first.emails == ("accueil@meridien.example", "kine@meridien.example")
    assert (second.line, second.parent_source_id, second.phones) == (3, "org-1", ("02/219.00.01",))
    assert nameless.line == 5


def test_readers_hsds_zip_is_detected_and_read(data_dir, tmp_path):
    archive = tmp_path / "package.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in (data_dir / "hsds").iterdir():
            zipped.write(path, f"export/{path.name}")
    assert detect_format(archive) == "hsds"
    records, _rejected = read_all(read_source(archive))
    assert [r.source_id for r in records] == ["org-1", "org-2", "org-3"]


def test_readers_hsds_without_organizations_is_refused(tmp_path):
    archive = tmp_path / "empty.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("datapackage.json", "{}")
    with pytest.raises(SourceError, match="organizations.csv"):
        list(read_source(archive))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("directory_v1.json", "json"),
        ("directory_utf8_comma_lf.csv", "csv"),
        ("hsds", "hsds"),
    ],
)
def test_readers_detect_format_from_content(data_dir, name, expected):
    assert detect_format(data_dir / name) == expected


def test_readers_json_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b'\xef\xbb\xbf{"organisations": [{"id": 1, "nameFr": "Maison Test"}]}')
    records, _ = read_all(read_source(path))
    assert [r.name_fr for r in records] == ["Maison Test"]


def _hsds_package(folder, organizations: str, datapackage: dict | None = None):
    folder.mkdir()
    (folder / "organizations.csv").write_text(organizations, encoding="utf-8")
    if datapackage is not None:
        (folder / "datapackage.json").write_text(json.dumps(datapackage), encoding="utf-8")
    return folder


DUTCH_ORGANIZATIONS = (
    "id,name,description\n"
    "o1,Wijkgezondheidscentrum De Brug,Huisartsen en verpleging voor het hele gezin van de wijk.\n"
    "o2,Centrum voor Geestelijke Gezondheidszorg,Begeleiding van volwassenen met een psychische kwetsbaarheid.\n"
    "o3,Straatverplegers,Zorg op straat voor daklozen die niet naar een ziekenhuis gaan.\n"
)
FRENCH_ORGANIZATIONS = (
    "id,name,description\n"
    "o1,Maison médicale Le Pont,Médecins et infirmiers pour les familles du quartier.\n"
    "o2,Service de santé mentale,Accompagnement des adultes et des enfants dans leur parcours.\n"
)


@pytest.mark.parametrize(
    ("content", "datapackage", "language"),
    [
        (DUTCH_ORGANIZATIONS, None, "nl"),  # no datapackage: the words decide
        (DUTCH_ORGANIZATIONS, {"name": "sociale-kaart"}, "nl"),  # a datapackage that names no language
        (FRENCH_ORGANIZATIONS, {"name": "bruxelles-social"}, "fr"),
        (FRENCH_ORGANIZATIONS, {"language": "nl"}, "nl"),  # what the package declares wins
        (DUTCH_ORGANIZATIONS, {"language": "fr-BE"}, "fr"),
        (DUTCH_ORGANIZATIONS, {"languages": ["nl", "fr"]}, "nl"),
        ("id,name\no1,Centre X\n", None, "fr"),  # too few words to tell: French, the default
    ],
)
def test_readers_hsds_text_goes_to_the_fields_of_its_language(tmp_path, content, datapackage, language):
    records, rejected = read_all(read_source(_hsds_package(tmp_path / "pkg", content, datapackage)))
    assert not rejected
    first = records[0]
    named = {"fr": first.name_fr, "nl": first.name_nl}
    assert named[language] and not named["nl" if language == "fr" else "fr"]
    described = first.description_nl if language == "nl" else first.description_fr
    assert described or "description" not in content.splitlines()[0]


@pytest.mark.parametrize(
    "value",
    [
        b"\xed\xa0\x80",  # a UTF-16 surrogate written as UTF-8 (cp1252 "\xed\xa0\x80" reads so)
        b"\xc0\xaf",  # an overlong sequence
        b"\xf4\x90\x80\x80",  # beyond U+10FFFF
        b"Caf\xe9",  # Windows-1252
    ],
)
@pytest.mark.parametrize("where", ["value", "key", "top-level key"])
def test_readers_json_that_is_not_utf8_is_refused_with_a_reason(tmp_path, value, where):
    documents = {
        "value": b'{"organisations": [{"id": "1", "nameFr": "' + value + b'"}]}',
        "key": b'{"organisations": [{"' + value + b'": "1", "nameFr": "x"}]}',
        "top-level key": b'{"' + value + b'": 1, "organisations": [{"id": "1", "nameFr": "x"}]}',
    }
    path = tmp_path / "export.json"
    path.write_bytes(documents[where])
    with pytest.raises(SourceError) as raised:
        list(read_source(path))
    assert raised.value.code in ("json_encoding", "json_broken", "json_broken_after")
    assert str(raised.value)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"PK\x03\x04" + b"\x00" * 40, "zip_unreadable"),  # starts like a zip, is none: damaged or cut off
        (b"<!DOCTYPE html><html><body>Not found</body></html>", "html_page"),
        (b"\n<html><head></head></html>", "html_page"),
        ("id;nameFr\na1;Café\n".encode("utf-16"), "csv_utf16"),
    ],
)
def test_csv_reader_names_what_is_no_csv_at_all(tmp_path, content, code):
    """Rather than "no column separator in the first line" for a file that is no CSV text."""
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    with pytest.raises(SourceError) as refused:
        read_all(read_source(path))
    assert refused.value.code == code


def test_csv_reader_still_reads_a_first_cell_starting_with_a_bracket(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("id;nameFr\n<a1>;Maison <B>\n", encoding="utf-8")
    records, rejected = read_all(read_source(path))
    assert [r.name_fr for r in records] == ["Maison <B>"] and rejected == []
