"""The Workers CSV (offline worker management): what an upload asks for, and what it refuses."""

from kempelen.domain import worker_csv

TYPES = ["Good Tagger", "Trusted"]


def upload(text: str) -> worker_csv.WorkerUpload:
    return worker_csv.read(text.encode(), TYPES)


def test_the_downloaded_header_reads_back_and_empty_cells_change_nothing():
    header = worker_csv.header(TYPES)
    assert header == ["Worker ID", "Lifetime Approval Rate", "CURRENT-BlockStatus", "UPDATE-BlockStatus",
                      "CURRENT-Good Tagger", "UPDATE-Good Tagger", "CURRENT-Trusted", "UPDATE-Trusted"]
    text = "".join(worker_csv.write([header, ["A1", "100% (1/1)", "Not Blocked", "", "80", "", "", ""]]))
    assert text.startswith('"Worker ID","Lifetime Approval Rate"') and text.endswith("\r\n")
    read = upload(text)
    assert (read.changes, read.problems) == ([], [])


def test_updates_block_score_and_revoke_any_case_and_extra_columns_are_ignored():
    read = upload("Worker ID,Notes,UPDATE-BlockStatus,UPDATE-Good Tagger,UPDATE-Trusted\n"
                  "A1,keep me,block,100,\n"
                  "A2,,Unblock,,REVOKE\n"
                  "A3,,,0,\n")
    assert read.problems == []
    assert [(c.line, c.worker_id, c.block, c.scores) for c in read.changes] == [
        (2, "A1", "Block", {"Good Tagger": 100}), (3, "A2", "Unblock", {"Trusted": None}),
        (4, "A3", None, {"Good Tagger": 0})]


def test_every_problem_is_found_with_its_line():
    read = upload("Worker ID,UPDATE-BlockStatus,UPDATE-Good Tagger\n"
                  "A1,Ban,\n"            # 2: not Block/Unblock
                  "A2,,101\n"            # 3: over 100
                  "A3,,-1\n"             # 4: negative
                  ",Block,\n"            # 5: no worker
                  "A1,,5\n"              # 6: twice
                  "A4,,²\n")             # 7: not an ASCII number
    assert [line for line, _ in read.problems] == [2, 3, 4, 5, 6, 7]
    assert "takes Block or Unblock" in read.problems[0][1] and "from 0 to 100, or Revoke" in read.problems[1][1]
    assert "on line 2 too" in read.problems[4][1]


def test_a_column_for_a_type_that_is_not_the_requesters_refuses_the_file():
    read = upload("Worker ID,UPDATE-Someone Else's\nA1,5\n")
    assert read.changes == [] and read.problems == [
        (1, 'The column "UPDATE-Someone Else\'s" names none of your Qualification types.')]
    assert upload("UPDATE-Trusted\n5\n").problems == [(1, 'The header row has no "Worker ID" column.')]
    assert upload("").problems[0][0] == 1
