"""Reading Statistics Canada's NOC 2021 CSV files: unit groups with titles, definitions and
job titles in both languages, from the structure and elements files in any order."""

from __future__ import annotations

import pytest

from registry.interop import noc
from tests.support.noc_files import ELEMENTS_EN, ELEMENTS_FR, STRUCTURE_EN, STRUCTURE_FR, noc_files


def _groups(*names: str) -> dict[str, noc.UnitGroup]:
    return noc.read(noc_files(*names)).unit_groups


def test_the_four_files_give_each_unit_group_its_titles_definitions_and_job_titles_in_both_languages():
    welders = _groups()["72106"]
    assert welders.title == {
        "en": "Welders and related machine operators",
        "fr": "Soudeurs/soudeuses et opérateurs/opératrices de machines à souder et à braser",
    }
    assert welders.definition["fr"].startswith("Les soudeurs utilisent")
    assert welders.examples == {
        "en": ["welder", "welder-fitter", "brazing machine operator"],
        "fr": ["soudeur/soudeuse", "opérateur/opératrice de machine à braser"],
    }


def test_only_unit_groups_become_occupations():
    assert sorted(_groups()) == ["00010", "33102", "72106"]


def test_a_code_that_lost_its_leading_zeros_is_padded():
    assert _groups(STRUCTURE_EN)["00010"].title == {"en": "Legislators"}


def test_duties_requirements_and_exclusions_are_not_job_titles():
    aides = _groups(ELEMENTS_EN, ELEMENTS_FR)["33102"]
    assert "Answer patients' call signals" not in aides.examples["en"]
    assert "Répondre aux appels des patients" not in aides.examples["fr"]


def test_a_job_title_given_twice_is_kept_once():
    assert _groups(ELEMENTS_EN)["33102"].examples["en"].count("orderly") == 1


def test_the_order_of_the_files_does_not_matter():
    forwards = noc.read(noc_files(STRUCTURE_EN, STRUCTURE_FR, ELEMENTS_EN, ELEMENTS_FR))
    backwards = noc.read(noc_files(ELEMENTS_FR, ELEMENTS_EN, STRUCTURE_FR, STRUCTURE_EN))
    assert noc.entries(forwards) == noc.entries(backwards)


def test_each_file_is_recognised_by_its_header():
    assert sorted(noc.read(noc_files()).files) == sorted(
        [
            f"{STRUCTURE_EN}: structure (en)",
            f"{STRUCTURE_FR}: structure (fr)",
            f"{ELEMENTS_EN}: elements (en)",
            f"{ELEMENTS_FR}: elements (fr)",
        ]
    )


def test_a_windows_1252_file_reads_with_its_accents():
    assert "préposé/préposée aux bénéficiaires" in _groups(ELEMENTS_FR)["33102"].examples["fr"]


def test_elements_alone_give_titles_from_their_class_title_column():
    entries, without_title = noc.entries(noc.read(noc_files(ELEMENTS_EN)))
    assert [e.code for e in entries] == ["33102", "72106"] and without_title == []


@pytest.mark.parametrize(
    "content",
    [
        b"code,domain,en,fr\n72106,trades,Welders,Soudeurs\n",  # the demo's own list: no Level column
        b"externalId,title_en\nA-1,Welding basics\n",  # a listings file
        b"",
    ],
)
def test_a_file_that_is_not_a_noc_file_is_refused_with_what_was_expected(content):
    with pytest.raises(noc.UnreadableFile) as refused:
        noc.read({"mine.csv": content})
    assert "mine.csv" in str(refused.value)


def test_a_code_that_is_not_a_unit_group_code_is_refused_with_its_line():
    content = "Level,Code - NOC 2021 V1.0,Class title,Class definition\n5,72106,Welders,x\n5,W-1,Nobody,x\n"
    with pytest.raises(noc.UnreadableFile, match=r"structure.csv, line 3: 'W-1'"):
        noc.read({"structure.csv": content.encode()})


STRUCTURE_HEADER = "Level,Code - NOC 2021 V1.0,Class title,Class definition\n"
ELEMENTS_HEADER = "Level,Code - NOC 2021 V1.0,Class title,Element Type Label English,Element Description English\n"


def test_a_row_without_its_level_is_not_a_unit_group():
    content = STRUCTURE_HEADER + ",3,Health occupations,x\n5,72106,Welders,x\n"
    assert sorted(noc.read({"structure.csv": content.encode()}).unit_groups) == ["72106"]


def test_a_file_without_a_level_column_is_refused():
    content = "Code - NOC 2021 V1.0,Class title,Element Type Label English,Element Description English\n"
    with pytest.raises(noc.UnreadableFile, match="Level column"):
        noc.read({"elements.csv": (content + "7210,Technical trades,All examples,welder\n").encode()})


@pytest.mark.parametrize("code", ["\u0667\u0662\u0661\u0660\u0666", "1\u00b2345", "72106.0"])
def test_a_code_of_anything_but_ascii_digits_is_refused(code):
    with pytest.raises(noc.UnreadableFile, match="not a NOC 2021 unit group code"):
        noc.read({"structure.csv": f"{STRUCTURE_HEADER}5,{code},Welders,x\n".encode()})


def test_the_structure_file_s_title_wins_over_the_elements_file_s_whatever_their_order():
    structure = {"s.csv": f"{STRUCTURE_HEADER}5,72106,Welders and related machine operators,x\n".encode()}
    elements = {"e.csv": f"{ELEMENTS_HEADER}5,72106,Welders (old title),Illustrative example(s),welder\n".encode()}
    for files in ({**structure, **elements}, {**elements, **structure}):
        entries, _ = noc.entries(noc.read(files))
        assert entries[0].title == {"en": "Welders and related machine operators"}


def test_a_problem_names_the_line_its_record_starts_on():
    content = STRUCTURE_HEADER + '5,72106,Welders,"a definition\nover\nthree lines"\n5,W-1,Nobody,x\n'
    with pytest.raises(noc.UnreadableFile, match="line 5"):
        noc.read({"structure.csv": content.encode()})
