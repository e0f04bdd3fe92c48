"""`oqu init`, `oqu new course`, `oqu new lesson`, and the CI files they write, run as CI runs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from builder.cli import main
from builder.pipeline import check_content

REPO = Path(__file__).resolve().parents[2]
INSTALL_STEPS = ("apt-get", "sudo apt-get", "pip install")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    result = CliRunner().invoke(
        main,
        ["init", str(tmp_path / "academy"), "--name-kk", "Өрт академиясы", "--institution-ru", "Академия"],
    )
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(tmp_path / "academy")
    return tmp_path / "academy"


def test_init_makes_a_site_that_passes_check(site: Path) -> None:
    names = sorted(
        p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and ".git/" not in p.as_posix()
    )
    assert names == [
        ".gitattributes",
        ".github/workflows/oqu.yml",
        ".gitignore",
        ".gitlab-ci.yml",
        "README.md",
        "content/courses/example/01-introduction/01-welcome.kk.md",
        "content/courses/example/01-introduction/01-welcome.ru.md",
        "content/courses/example/01-introduction/module.yml",
        "content/courses/example/course.yml",
        "site_config.yml",
    ]
    config = yaml.safe_load((site / "site_config.yml").read_text(encoding="utf-8"))
    assert config["name"]["kk"] == "Өрт академиясы"
    assert set(config["institution"]) == {"kk", "ru", "en"}
    assert "*.mp4  filter=lfs diff=lfs merge=lfs -text" in (site / ".gitattributes").read_text()
    assert "build/" in (site / ".gitignore").read_text().splitlines()
    _, problems = check_content(site)
    assert problems.items == []
    assert (site / ".git").is_dir()


def test_init_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "notes.txt").write_text("keep me")
    result = CliRunner().invoke(main, ["init", str(tmp_path / "old")])
    assert result.exit_code == 1
    assert result.stderr == (
        f"қате: {tmp_path / 'old'} бос емес; oqu init жаңа сайтты жаңа немесе бос бумада жасайды\n"
    )


def test_new_lesson_and_course_pass_check(site: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["new", "lesson", "example/introduction", "Жану үшбұрышы"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "жасалды: content/courses/example/01-introduction/02-zhanu-ushburyshy.kk.md\n"
        "жасалды: content/courses/example/01-introduction/02-zhanu-ushburyshy.ru.md\n"
    )
    result = runner.invoke(main, ["new", "lesson", "example/practice", "Өрт сөндіргіш", "--type", "practice"])
    assert (
        result.stdout.splitlines()[0]
        == "жасалды: content/courses/example/02-practice/01-ort-sondirgish.kk.md"
    )
    assert runner.invoke(main, ["new", "course", "fire-safety"]).exit_code == 0
    lesson = site / "content/courses/example/02-practice/01-ort-sondirgish.kk.md"
    assert lesson.read_text(encoding="utf-8").startswith(
        "---\ntitle: Өрт сөндіргіш\ntype: practice\nduration: 45\noutcomes:\n- o1\n---\n\n# Өрт сөндіргіш\n"
    )
    site_model, problems = check_content(site)
    assert problems.items == []
    assert site_model is not None and [c.id for c in site_model.courses] == ["example", "fire-safety"]


def test_new_lesson_errors(site: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["new", "lesson", "nope/intro", "Сабақ"])
    assert result.exit_code == 1
    assert result.stderr == (
        "қате: 'nope' курсы жоқ (content/courses/nope/course.yml); oqu new course көріңіз\n"
    )
    runner.invoke(main, ["new", "lesson", "example/01-introduction", "Сабақ"])
    result = runner.invoke(main, ["new", "lesson", "example/introduction", "Сабақ"])
    assert (
        result.stderr
        == "қате: content/courses/example/01-introduction бумасында 'sabaq' сабағы бұрыннан бар\n"
    )
    assert runner.invoke(main, ["new", "course", "Bad Id"]).stderr == (
        "қате: 'Bad Id' — жарамсыз id (кіші латын әріптері, цифрлар және '-')\n"
    )


# -- the CI configurations, loaded and their scripts run ---------------------------------------


@pytest.fixture
def ci_env(tmp_path: Path) -> dict[str, str]:
    """`oqu` on PATH running this source tree (as `pip install oqu` would provide it)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "oqu"
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} -c "from builder.cli import main; main()" "$@"\n')
    shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CI", "GITHUB", "OQU_"))}
    env.update(
        PATH=f"{bin_dir}:{env['PATH']}",
        PYTHONPATH=str(REPO),
        OQU_PUBLISH_TARGET=str(tmp_path / "www" / "site"),
        OQU_SERVICE_TARGET=str(tmp_path / "www" / "service"),
        SSH_PRIVATE_KEY="",
        HOME=str(tmp_path / "home"),
    )
    return env


def run_lines(lines: list[str], site: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The lines as a CI runner runs them: one shell, stop at the first failing line."""
    script = "\n".join(line for line in lines if not line.lstrip().startswith(INSTALL_STEPS))
    return subprocess.run(
        ["bash", "-e", "-c", script], cwd=site, env=env, capture_output=True, text=True, check=False
    )


def test_gitlab_ci_checks_reports_and_publishes(site: Path, ci_env: dict[str, str], tmp_path: Path) -> None:
    ci = yaml.safe_load((site / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert ci["stages"] == ["check", "build", "publish"]
    assert ci["check"]["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert ci["preview"]["artifacts"]["paths"] == ["build/site/"]
    assert {"build/media/", "build/.cache/"} <= set(ci["default"]["cache"]["paths"])
    assert ci["publish"]["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]

    lesson = site / "content/courses/example/01-introduction/01-welcome.kk.md"
    good = lesson.read_text(encoding="utf-8")
    lesson.write_text(good.replace("duration: 45", "duraton: 45"), encoding="utf-8")
    result = run_lines(ci["check"]["script"], site, ci_env)
    assert result.returncode == 1
    report = json.loads((site / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert report[1]["location"] == {
        "path": "content/courses/example/01-introduction/01-welcome.kk.md",
        "lines": {"begin": 4},
    }
    result = run_lines(ci["publish"]["script"], site, ci_env)  # a failed build publishes nothing
    assert result.returncode == 1 and "build/site өзгеріссіз қалды" in result.stderr
    assert not (tmp_path / "www").exists()

    lesson.write_text(good, encoding="utf-8")
    assert run_lines(ci["check"]["script"], site, ci_env).returncode == 0
    result = run_lines(ci["publish"]["script"], site, ci_env)
    assert result.returncode == 0, result.stderr
    served = tmp_path / "www" / "site" / "current"
    assert (served / "kk" / "courses" / "example" / "introduction" / "welcome" / "index.html").is_file()
    assert (tmp_path / "www" / "service" / "current" / "manifest.json").is_file()


def test_github_workflow_annotates_and_publishes(site: Path, ci_env: dict[str, str], tmp_path: Path) -> None:
    workflow = yaml.safe_load((site / ".github/workflows/oqu.yml").read_text(encoding="utf-8"))
    assert workflow[True] == {"push": {"branches": ["main"]}, "pull_request": None}  # YAML 1.1: on = true
    steps = workflow["jobs"]["check"]["steps"]
    assert steps[0] == {"uses": "actions/checkout@v4", "with": {"lfs": True}}
    assert any(s.get("uses") == "actions/upload-artifact@v4" for s in steps)
    runs = [step["run"] for step in steps if "run" in step]
    assert runs[2] == "oqu check --format github"

    lesson = site / "content/courses/example/01-introduction/01-welcome.ru.md"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("type: lecture", "type: lectur"))
    result = run_lines(runs, site, ci_env)
    assert result.returncode == 1
    assert result.stdout.startswith(
        "::error file=content/courses/example/01-introduction/01-welcome.ru.md,line=3,title=oqu check::"
        "'type' must be one of"
    )
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("type: lectur", "type: lecture"))
    result = run_lines(runs, site, ci_env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "www" / "site" / "current" / "index.html").is_file()
    assert result.stdout.endswith(f"{tmp_path / 'www' / 'site'} нысанасына жарияланды\n")


def test_the_wheel_alone_makes_a_site(tmp_path: Path) -> None:
    """`make dist`'s wheel carries the templates: `oqu init` and `oqu check` run from it alone."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    for package in ("builder", "quiz_service", "auth"):
        shutil.copytree(REPO / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "dist"), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("oqu-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp_path / "installed")
        names = set(archive.namelist())
    assert {"builder/preview/assets/preview.js", "builder/scaffold/templates/gitlab-ci.yml"} <= names
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "installed")}
    oqu = [sys.executable, "-c", "from builder.cli import main; main()"]
    subprocess.run([*oqu, "init", "academy"], cwd=tmp_path, env=env, check=True, capture_output=True)
    result = subprocess.run(
        [*oqu, "check"], cwd=tmp_path / "academy", env=env, capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout) == (0, "қате жоқ: курстар — 1, сабақтар — 1\n")
    assert "oqu==0.1.0" in (tmp_path / "academy" / ".gitlab-ci.yml").read_text()
