"""Tests of evalkit.inputs.read: reading CSV/XLSX/Parquet tables typed per the data model.

Every malformed file is hand-made in tmp_path; the expected one-line messages are written
out in full (file, row as a spreadsheet shows it with the header on row 1, column, value,
what is expected).
"""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import DataError, ValidationFailed
from evalkit.inputs.read import (
    MAX_PROBLEMS_PER_CHECK,
    DataValidationFailed,
    Tables,
    load_tables,
    load_unit_tables,
    read_table,
)

ROSTER_HEADER = "team_id,staff_key,role,case_carrying,hire_date,separation_date,separation_type\n"


def write(path, text: str, encoding: str = "utf-8"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def lines(exc: ValidationFailed) -> list[str]:
    return [str(p) for p in exc.problems]


def problems_of(path, table) -> list[str]:
    with pytest.raises(DataValidationFailed) as info:
        read_table(path, table)
    return lines(info.value)


# --------------------------------------------------------------------------- typing


def test_types_follow_the_data_model(tmp_path):
    roster = write(
        tmp_path / "roster.csv",
        ROSTER_HEADER
        + "team-a,s1,caseworker,true,2020-01-15,2023-06-30,voluntary\n"
        + "team-a,s2,supervisor,FALSE,2021-03-01,,\n",
    )
    df = read_table(roster, "roster")
    assert list(df.columns) == ["team_id", "staff_key", "role", "case_carrying", "hire_date", "separation_date",
                                "separation_type"]
    assert df["hire_date"].dtype == "datetime64[ns]"
    assert df["separation_date"].dtype == "datetime64[ns]"
    assert df["case_carrying"].dtype == bool
    assert df["case_carrying"].tolist() == [True, False]
    assert pd.isna(df.loc[1, "separation_date"]) and pd.isna(df.loc[1, "separation_type"])
    assert pd.api.types.is_string_dtype(df["team_id"])
    assert df.loc[0, "hire_date"] == pd.Timestamp("2020-01-15")


def test_months_are_first_of_month_and_counts_are_float(tmp_path):
    path = write(tmp_path / "positions.csv", "team_id,period,funded_positions,filled_positions\n"
                                             "team-a,2023-04,12,10\nteam-a,2023-05-01,12.5,11\n")
    df = read_table(path, "positions")
    assert df["period"].tolist() == [pd.Timestamp("2023-04-01"), pd.Timestamp("2023-05-01")]
    assert df["period"].dtype == "datetime64[ns]"
    assert df["funded_positions"].dtype == "float64"
    assert df["funded_positions"].tolist() == [12.0, 12.5]


def test_whole_numbers_are_Int64_and_blank_text_is_missing(tmp_path):
    path = write(tmp_path / "survey.csv", "team_id,wave,fielded,response_id,itl_1\n"
                                          "team-a,1,2022-10-03,r1,4\nteam-a,2,2023-10-02,r2,\n")
    df = read_table(path, "survey")
    assert str(df["wave"].dtype) == "Int64"
    assert df["itl_1"].dtype == "float64"  # survey item columns are numbers
    assert np.isnan(df.loc[1, "itl_1"])


def test_literal_NA_text_is_kept_only_blank_is_missing(tmp_path):
    # 'NA' is a real word in free text (e.g. a region called NA); only blank cells are missing
    path = write(tmp_path / "teams.csv", "team_id,team_name,team_type,role,region,country,start_month\n"
                                         "team-a,Team A,public,participant,NA,us,2023-04\n")
    df = read_table(path, "teams")
    assert df.loc[0, "region"] == "NA"


# --------------------------------------------------------------------------- bad values, all collected


def test_bad_dates_every_row_is_reported_with_file_row_column_value(tmp_path):
    path = write(
        tmp_path / "roster.csv",
        ROSTER_HEADER
        + "team-a,s1,caseworker,true,2020-01-15,,\n"           # row 2 fine
        + "team-a,s2,caseworker,true,31/02/2023,,\n"           # row 3 not ISO
        + "team-a,s3,caseworker,true,2023-02-31,,\n"           # row 4 impossible
        + "team-a,s4,caseworker,true,,,\n"                     # row 5 blank
        + "team-a,s5,caseworker,true,2021-05-05,yesterday,voluntary\n",  # row 6 text
    )
    f = str(path)
    assert problems_of(path, "roster") == [
        f"{f} row 3, column hire_date: '31/02/2023' is not a date; use YYYY-MM-DD",
        f"{f} row 4, column hire_date: '2023-02-31' is not a real calendar date (check the day and month); use YYYY-MM-DD",
        f"{f} row 5, column hire_date: is blank; every row needs a value (use YYYY-MM-DD)",
        f"{f} row 6, column separation_date: 'yesterday' is not a date; use YYYY-MM-DD",
    ]


def test_problem_fields_carry_row_column_value_and_team(tmp_path):
    path = write(tmp_path / "roster.csv", ROSTER_HEADER + "team-a,s2,caseworker,true,31/02/2023,,\n")
    with pytest.raises(DataValidationFailed) as info:
        read_table(path, "roster")
    (problem,) = info.value.problems
    assert (problem.row, problem.column, problem.value, problem.unit) == (2, "hire_date", "31/02/2023", "team-a")
    assert isinstance(info.value, DataError)  # catchable as a data error too


def test_wrong_types_numbers_bools_enums_months(tmp_path):
    path = write(
        tmp_path / "positions.csv",
        "team_id,period,funded_positions,filled_positions\n"
        "team-a,2023-13,12,ten\n"           # row 2: impossible month, text count
        'team-a,2023-04-15,"1,5",-2\n'      # row 3: a day not a month, decimal comma, negative count
        "team-a,April 2023,12%,3\n",        # row 4: words, percent sign
    )
    f = str(path)
    assert problems_of(path, "positions") == [
        f"{f} row 2, column period: '2023-13' is not a real month; use YYYY-MM with a month from 01 to 12",
        f"{f} row 2, column filled_positions: 'ten' is not a number; use a number of 0 or more",
        f"{f} row 3, column period: '2023-04-15' is a day, not a month; use YYYY-MM (e.g. 2023-04)",
        f"{f} row 3, column funded_positions: '1,5' is not a number; use a decimal point, not a comma (e.g. 1.5)",
        f"{f} row 3, column filled_positions: '-2' is negative; counts must be 0 or more",
        f"{f} row 4, column period: 'April 2023' is not a month; use YYYY-MM",
        f"{f} row 4, column funded_positions: '12%' is not a number; leave out the % sign",
    ]


def test_enum_and_bool_values(tmp_path):
    path = write(
        tmp_path / "roster.csv",
        ROSTER_HEADER
        + "team-a,s1,Caseworker,maybe,2020-01-15,2023-01-01,quit\n",
    )
    f = str(path)
    assert problems_of(path, "roster") == [
        f"{f} row 2, column role: 'Caseworker' is not allowed; write it in lower case: 'caseworker'",
        f"{f} row 2, column case_carrying: 'maybe' is not true or false; use true or false",
        f"{f} row 2, column separation_type: 'quit' is not allowed; use one of voluntary, involuntary, other, transfer",
    ]


def test_ids_that_would_escape_the_output_folder(tmp_path):
    path = write(
        tmp_path / "teams.csv",
        "team_id,team_name,team_type,role,region,country,start_month\n"
        "../x,X,public,participant,,us,2023-04\n"
        "a/b,AB,public,participant,,us,2023-04\n"
        "Cedar-River,Cedar,tribal,participant,,us,2023-04\n"
        "has space,S,public,participant,,us,2023-04\n",
    )
    f = str(path)
    escape = ("is not a valid id: ids become file names, so '/', '\\' and '..' would escape the output folder; "
              "use lower-case letters, digits and hyphens (e.g. cedar-river-tribe)")
    assert problems_of(path, "teams") == [
        f"{f} row 2, column team_id: '../x' {escape}",
        f"{f} row 3, column team_id: 'a/b' {escape}",
        f"{f} row 4, column team_id: 'Cedar-River' is not a valid id: ids are lower case; write 'cedar-river'",
        f"{f} row 5, column team_id: 'has space' is not a valid id; use lower-case letters, digits and hyphens "
        "(e.g. cedar-river-tribe)",
    ]


def test_many_bad_rows_are_capped_per_team_with_a_summary_line(tmp_path):
    n = MAX_PROBLEMS_PER_CHECK + 7
    rows = "".join(f"team-a,s{i},caseworker,true,bad,,\n" for i in range(n)) + "team-b,t1,caseworker,true,bad,,\n"
    path = write(tmp_path / "roster.csv", ROSTER_HEADER + rows)
    found = problems_of(path, "roster")
    assert len(found) == MAX_PROBLEMS_PER_CHECK + 2  # 50 listed for team-a, 1 summary, 1 for team-b
    assert f"{path} column hire_date: 7 more rows of team-a with the same problem (only the first 50 are listed)" in found
    assert f"{path} row {n + 2}, column hire_date: 'bad' is not a date; use YYYY-MM-DD" in found


# --------------------------------------------------------------------------- unreadable files


def test_missing_column_names_the_table_columns_and_case_hint(tmp_path):
    path = write(tmp_path / "positions.csv", "team_id,Period,funded_positions\nteam-a,2023-04,3\n")
    f = str(path)
    assert problems_of(path, "positions") == [
        f"{f} column period: is missing from the header row (found 'Period'; column names are lower case); "
        "positions needs the columns team_id, period, funded_positions, filled_positions",
        f"{f} column filled_positions: is missing from the header row; "
        "positions needs the columns team_id, period, funded_positions, filled_positions",
    ]


@pytest.mark.parametrize("content", ["", "   \n\n"])
def test_empty_file(tmp_path, content):
    path = write(tmp_path / "teams.csv", content)
    assert problems_of(path, "teams") == [f"{path}: file is empty; it needs at least a header row with the column names"]


def test_not_utf8(tmp_path):
    path = write(tmp_path / "teams.csv", "team_id,team_name,team_type,role,region,country,start_month\n"
                                         "team-a,Équipe A,public,participant,,us,2023-04\n", encoding="latin-1")
    # 'É' is byte 0xc9 in Latin-1, on line 2 of the file
    assert problems_of(path, "teams") == [
        f"{path}: is not UTF-8 text (byte 0xc9 on line 2); save it as 'CSV UTF-8' (in Excel: Save As > CSV UTF-8)"
    ]


def test_utf8_with_bom_is_read(tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes("\ufeffteam_id,date,label,kind\n,2023-04-25,Learning Session 1,learning_session\n".encode())
    assert read_table(path, "events").columns[0] == "team_id"


@pytest.mark.parametrize("sep,name", [(";", "semicolons (;)"), ("\t", "tabs")])
def test_wrong_delimiter(tmp_path, sep, name):
    path = write(tmp_path / "events.csv", sep.join(["team_id", "date", "label", "kind"]) + "\n"
                 + sep.join(["", "2023-04-25", "LS1", "learning_session"]) + "\n")
    assert problems_of(path, "events") == [
        f"{path}: columns are separated by {name}, not commas; save it as comma-separated 'CSV UTF-8'"
    ]


def test_row_with_too_many_values(tmp_path):
    path = write(tmp_path / "events.csv", "team_id,date,label,kind\n,2023-04-25,LS1,learning_session\n"
                                          ",2023-05-01,Lunch, then talk,other\n")
    assert problems_of(path, "events") == [
        f"{path} row 3: has 5 values but the header has 4 columns; put text containing commas in double quotes"
    ]


def test_missing_file(tmp_path):
    assert problems_of(tmp_path / "teams.csv", "teams") == [
        f"{tmp_path / 'teams.csv'}: file not found; check the folder name and that the file is named as documented"
    ]


# --------------------------------------------------------------------------- other formats


def _frame():
    return pd.DataFrame({
        "team_id": ["team-a", "team-a"],
        "staff_key": ["s1", "s2"],
        "role": ["caseworker", "support"],
        "case_carrying": [True, False],
        "hire_date": pd.to_datetime(["2020-01-15", "2021-03-01"]),
        "separation_date": pd.to_datetime(["2023-06-30", None]),
        "separation_type": ["voluntary", None],
    })


def test_xlsx_reads_the_same_as_csv(tmp_path):
    csv = write(tmp_path / "csv" / "roster.csv", ROSTER_HEADER + "team-a,s1,caseworker,true,2020-01-15,2023-06-30,"
                "voluntary\nteam-a,s2,support,false,2021-03-01,,\n")
    xlsx = tmp_path / "roster.xlsx"
    _frame().to_excel(xlsx, index=False)  # Excel stores real date cells and booleans
    pd.testing.assert_frame_equal(read_table(xlsx, "roster"), read_table(csv, "roster"))


def test_parquet_reads_the_same_as_csv(tmp_path):
    csv = write(tmp_path / "csv" / "roster.csv", ROSTER_HEADER + "team-a,s1,caseworker,true,2020-01-15,2023-06-30,"
                "voluntary\nteam-a,s2,support,false,2021-03-01,,\n")
    pq = tmp_path / "roster.parquet"
    _frame().to_parquet(pq)
    pd.testing.assert_frame_equal(read_table(pq, "roster"), read_table(csv, "roster"))


def test_xlsx_bad_cell_is_reported_with_its_spreadsheet_row(tmp_path):
    frame = _frame().astype({"hire_date": object})
    frame.loc[1, "hire_date"] = "31/02/2023"
    xlsx = tmp_path / "roster.xlsx"
    frame.to_excel(xlsx, index=False)
    assert problems_of(xlsx, "roster") == [f"{xlsx} row 3, column hire_date: '31/02/2023' is not a date; use YYYY-MM-DD"]


def test_damaged_workbook(tmp_path):
    path = write(tmp_path / "roster.xlsx", "this is not a workbook")
    (line,) = problems_of(path, "roster")
    assert line.startswith(f"{path}: cannot be read as an Excel workbook (")
    assert line.endswith("); save it again as .xlsx or CSV UTF-8") or line.endswith("save it as .xlsx or CSV UTF-8")


# --------------------------------------------------------------------------- folders


TEAMS = ("team_id,team_name,team_type,role,region,country,start_month\n"
         "team-a,Team A,public,participant,North,us,2023-04\n"
         "team-b,Team B,tribal,participant,South,us,2023-05\n"
         "prog-1,Programme 1,public,programme,,land,\n")
MEASURES = ("team_id,period,measure_id,numerator,denominator\n"
            "team-a,2023-04,vacancy_rate,2,10\nteam-b,2023-04,vacancy_rate,1,8\n")


def test_load_tables_optional_tables_absent_and_read_only(tmp_path):
    write(tmp_path / "teams.csv", TEAMS)
    write(tmp_path / "measures.csv", MEASURES)
    tables = load_tables(tmp_path)
    assert isinstance(tables, Tables)
    assert set(tables) == {"teams", "measures"}
    assert "pdsa" not in tables and tables.get("pdsa") is None
    assert tables.measures is tables["measures"]
    with pytest.raises(AttributeError):
        tables.extra = 1
    with pytest.raises(TypeError):
        tables["x"] = 1  # no item assignment on a read-only mapping


def test_load_tables_reports_every_file(tmp_path):
    write(tmp_path / "teams.csv", TEAMS.replace("2023-05", "May"))
    write(tmp_path / "pdsa.csv", "")
    with pytest.raises(DataValidationFailed) as info:
        load_tables(tmp_path)
    assert lines(info.value) == [
        f"{tmp_path / 'measures.csv'}: file not found; every data folder needs the measures table "
        "(team_id, period, measure_id, numerator, denominator)",
        f"{tmp_path / 'teams.csv'} row 3, column start_month: 'May' is not a month; use YYYY-MM",
        f"{tmp_path / 'pdsa.csv'}: file is empty; it needs at least a header row with the column names",
    ]


def test_load_unit_tables_team_and_country(tmp_path):
    write(tmp_path / "teams.csv", TEAMS)
    write(tmp_path / "measures.csv", MEASURES)
    write(tmp_path / "events.csv", "team_id,date,label,kind\n,2023-04-25,LS1,learning_session\n"
                                   "team-b,2023-06-01,Change,change\nteam-a,2023-07-01,Change,change\n")
    write(tmp_path / "roster.csv", ROSTER_HEADER + "prog-1,s1,caseworker,true,2020-01-01,,\n"
                                                   "team-a,s2,caseworker,true,2020-01-01,,\n")
    write(tmp_path / "training.csv", "unit,session_id,date,module,level,staff_key,programme\n"
                                     "land,tr-1,2023-01-01,Intro,basic,s1,prog-1\nother,tr-2,2023-01-01,Intro,basic,s9,prog-1\n")
    team = load_unit_tables(tmp_path, "team-a")
    assert team["teams"]["team_id"].tolist() == ["team-a"]
    assert team["measures"]["team_id"].tolist() == ["team-a"]
    assert team["events"]["label"].tolist() == ["LS1", "Change"]  # blank team_id = all teams
    assert "training" not in team
    land = load_unit_tables(tmp_path, "land")
    assert land["training"]["session_id"].tolist() == ["tr-1"]
    assert land["roster"]["staff_key"].tolist() == ["s1"]  # staff of the programme teams in land
    assert land["teams"]["team_id"].tolist() == ["prog-1"]
    assert "measures" not in land  # no rows for this unit: absent, so notebooks skip the section


def test_large_roster_is_typed_in_seconds(tmp_path):
    # vectorised parsing: 300,000 rows (a 1-million-row roster was timed for the report)
    n = 300_000
    rng = np.random.default_rng(1)
    hire = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 3000, n), unit="D")
    frame = pd.DataFrame({
        "team_id": np.array([f"unit-{i:03d}" for i in range(500)])[rng.integers(0, 500, n)],
        "staff_key": [f"s{i}" for i in range(n)],
        "role": "caseworker",
        "case_carrying": "true",
        "hire_date": hire.strftime("%Y-%m-%d"),
        "separation_date": "",
        "separation_type": "",
    })
    path = tmp_path / "roster.csv"
    frame.to_csv(path, index=False)
    start = time.perf_counter()
    df = read_table(path, "roster")
    assert time.perf_counter() - start < 10  # typically about 1 s on a 2-core machine
    assert len(df) == n and df["hire_date"].notna().all()


# --------------------------------------------------------------------------- typed once per batch run


def test_tables_are_typed_once_per_run_and_each_report_keeps_only_its_units(tmp_path):
    import shutil
    from pathlib import Path

    from evalkit.inputs import read as read_module
    from evalkit.inputs.read import index_parsed_tables, narrow_parsed_tables, parsed_once, read_tables

    demo = Path(__file__).resolve().parents[1] / "data" / "demo"
    data = tmp_path / "data"
    shutil.copytree(demo, data)
    names = ["teams", "measures", "roster"]
    _, fresh, _ = read_tables(data, names)  # outside a run: read from the files
    assert read_module._PARSED is None
    with parsed_once():
        _, first, _ = read_tables(data, names)
        calls = []
        original = read_module._parse_file
        read_module._parse_file = lambda path, name: calls.append(name) or original(path, name)
        try:
            _, again, _ = read_tables(data, names)
            assert calls == []  # typed once: nothing parsed the second time
            for name in names:
                pd.testing.assert_frame_equal(again[name], fresh[name])
            again["roster"].loc[0, "role"] = "changed"  # a report's change never reaches the others
            assert read_tables(data, ["roster"])[1]["roster"].loc[0, "role"] == fresh["roster"].loc[0, "role"]
            # a file changed during the run is read again
            teams_csv = data / "teams.csv"
            teams_csv.write_text(teams_csv.read_text(encoding="utf-8").replace("Cedar River", "Cedar Creek"),
                                 encoding="utf-8")
            changed = read_tables(data, ["teams"])[1]["teams"]
            assert calls == ["teams"] and changed["team_name"].str.contains("Cedar Creek").any()
        finally:
            read_module._parse_file = original
        index_parsed_tables()
        narrow_parsed_tables(["cedar-river-tribe"], whole=("teams", "measures"))
        _, mine, _ = read_tables(data, names)
        assert set(mine["roster"]["team_id"]) == {"cedar-river-tribe"}
        expected = fresh["roster"][fresh["roster"]["team_id"] == "cedar-river-tribe"].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine["roster"], expected)
        pd.testing.assert_frame_equal(mine["measures"], fresh["measures"])  # kept whole
        assert len(mine["teams"]) == len(fresh["teams"])
    assert read_module._PARSED is None  # nothing outlives the run
