-- sqlite-test.sql - run by the sqlite3 shell booted as a uni image
-- (test/apps/make/run-sqlite, from make_projects.cmake): a database file in
-- /tmp, tables, an index, joins, aggregates, a rolled-back and a committed
-- transaction, a sort spilled to temp files by 4 worker threads, a reopen
-- from disk and WAL mode. The output must equal
-- sqlite-test.expected (produced by the same SQL on Linux).
.bail on
.headers off
.mode list
.separator |
PRAGMA page_size = 4096;
CREATE TABLE dept(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE emp(id INTEGER PRIMARY KEY, name TEXT, dept_id INTEGER
  REFERENCES dept(id), salary INTEGER, hired TEXT);
CREATE INDEX emp_dept ON emp(dept_id);
INSERT INTO dept(name) VALUES ('eng'), ('ops'), ('sales');
INSERT INTO emp(name, dept_id, salary, hired) VALUES
  ('ada', 1, 120, '2019-03-01'), ('bob', 1, 100, '2020-07-15'),
  ('cy', 2, 90, '2018-01-10'), ('dee', 3, 70, '2021-11-30'),
  ('eve', 3, 75, '2022-02-28'), ('fay', 1, 130, '2017-05-05');
SELECT '-- join and aggregates';
SELECT d.name, count(*), sum(e.salary), avg(e.salary), min(e.hired), max(e.name)
  FROM emp e JOIN dept d ON d.id = e.dept_id GROUP BY d.name ORDER BY d.name;
SELECT d.name, e.name FROM dept d LEFT JOIN emp e
  ON e.dept_id = d.id AND e.salary > 100 ORDER BY d.name, e.name;
SELECT name FROM emp WHERE salary > (SELECT avg(salary) FROM emp) ORDER BY name;
SELECT '-- index use';
EXPLAIN QUERY PLAN SELECT name FROM emp WHERE dept_id = 2;
SELECT name FROM emp WHERE dept_id = 2;
SELECT '-- rollback';
BEGIN;
INSERT INTO emp(name, dept_id, salary) VALUES ('ghost', 2, 1);
DELETE FROM emp WHERE dept_id = 1;
SELECT count(*) FROM emp;
ROLLBACK;
SELECT count(*), sum(salary) FROM emp;
SELECT '-- commit';
BEGIN;
UPDATE emp SET salary = salary + 10 WHERE dept_id = 3;
INSERT INTO dept(name) VALUES ('legal');
COMMIT;
SELECT sum(salary), (SELECT count(*) FROM dept) FROM emp;
SELECT '-- constraint';
INSERT OR IGNORE INTO dept(name) VALUES ('eng');
SELECT count(*) FROM dept;
SELECT '-- many rows';
CREATE TABLE nums(n INTEGER PRIMARY KEY, sq INTEGER, txt TEXT);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000)
  INSERT INTO nums SELECT x, x * x, printf('row-%05d', x) FROM c;
CREATE INDEX nums_txt ON nums(txt);
SELECT count(*), sum(n), sum(sq) % 1000003, max(txt) FROM nums;
SELECT n FROM nums WHERE txt = 'row-12345';
DELETE FROM nums WHERE n % 2 = 0;
SELECT count(*), sum(n) FROM nums;
SELECT '-- functions';
SELECT date('2024-02-28', '+1 day'), strftime('%j', '2023-12-31'),
  julianday('2000-01-01') - julianday('1999-12-31');
SELECT json_extract('{"a":[1,2,{"b":"x"}]}', '$.a[2].b'), json_array(1, 'two', null);
SELECT printf('%.3f|%5d|%s', pi(), 42, upper('uni')), sqrt(144), length(randomblob(16));
SELECT group_concat(name, ',') FROM (SELECT name FROM emp ORDER BY name DESC);
SELECT '-- sorter threads and temp files';
PRAGMA threads = 4;
PRAGMA cache_size = 20;
CREATE TABLE big(a INTEGER, b TEXT);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50000)
  INSERT INTO big SELECT (x * 7919) % 50000,
    printf('%08d-%s', (x * 104729) % 99991, hex(x)) FROM c;
CREATE INDEX big_b ON big(b);
SELECT count(*), min(b), max(b) FROM big;
SELECT b FROM big ORDER BY b DESC LIMIT 1 OFFSET 25000;
SELECT a, count(*) FROM big GROUP BY a ORDER BY 2 DESC, 1 LIMIT 2;
PRAGMA cache_size = -2000;
SELECT '-- reopen';
.open /tmp/uni-test.db
PRAGMA integrity_check;
SELECT count(*) FROM emp;
SELECT name FROM sqlite_schema WHERE type = 'index' ORDER BY name;
SELECT '-- wal';
PRAGMA journal_mode = WAL;
INSERT INTO dept(name) VALUES ('wal-dept');
SELECT count(*) FROM dept;
PRAGMA wal_checkpoint(TRUNCATE);
PRAGMA journal_mode = DELETE;
SELECT '-- done';
