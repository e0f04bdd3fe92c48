"""Media benchmark: oqu's transcodes against the same ffmpeg commands run by hand, and a cached build.

A 2-minute 1080p test video (ffmpeg's testsrc2 pattern with a tone, H.264/AAC) is generated in a
temporary folder and put into a copy of the fixture site. Then:

1. each default rendition (360p, 720p) is encoded by oqu (`builder.media`: the cache, atomic
   write, progress parsing) and by the same ffmpeg command line run by hand (`subprocess.run`),
   one at a time and interleaved, `--repeat` times; the ratio oqu / by hand (goal: at most 1.05)
   of the best wall times and of the best CPU times (this process and its children: steady when
   the machine is shared), and the realtime factor (seconds of video per wall second) are printed
   per rendition;
2. a full `build_site` (first build: every rendition, poster, thumbnails, in parallel), then the
   same build again (everything cached; goal: the second build's media phase under 1 % of the
   first build's).

Figures are printed, nothing is asserted. Run:

    .venv/bin/python bench/media.py [--seconds 120] [--repeat 2] [--keep]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from builder.media import MediaCache, build_media, plan_media
from builder.media.encoder import command, probe, video_rendition
from builder.pipeline import build_site, check_content

REPO = Path(__file__).parents[1]
FIXTURE = REPO / "tests/fixtures/minimal-site"
LESSON = "content/courses/first-aid/01-basics/01-assessment.kk.md"


def make_source(path: Path, seconds: int) -> None:
    subprocess.run(
        ["ffmpeg", "-nostdin", "-y", "-loglevel", "error",
         "-f", "lavfi", "-i", f"testsrc2=s=1920x1080:r=25:d={seconds}",
         "-f", "lavfi", "-i", f"sine=f=440:d={seconds}",
         "-c:v", "libx264", "-preset", "ultrafast", "-crf", "20", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-b:a", "128k", str(path)],
        check=True,
    )  # fmt: skip


def make_site(root: Path, source: Path) -> None:
    shutil.copytree(FIXTURE, root)
    os.link(source, root / "content/courses/first-aid/01-basics/media/lecture.mp4")
    lesson = root / LESSON
    head, _, body = lesson.read_text(encoding="utf-8").partition("\n---\n")
    lesson.write_text(f"{head}\nvideo: media/lecture.mp4\n---\n{body}", encoding="utf-8")


def timed(run: object) -> float:
    started = time.perf_counter()
    run()  # type: ignore[operator]
    return time.perf_counter() - started


def cpu_timed(run: object) -> tuple[float, float]:
    """Wall seconds and CPU seconds (this process and its ffmpeg children) of `run()`.

    CPU time hardly moves when other work shares the machine, so its ratio is the fair one.
    """
    before = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    wall = timed(run)
    after = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    cpu = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before, strict=True))
    return wall, cpu


def rendition_figures(root: Path, repeat: int, duration: float) -> None:
    site, problems = check_content(root)
    assert site is not None and not problems.errors, problems.errors
    print(f"\n1. one rendition at a time (best of {repeat}; oqu / same command by hand):")
    print(f"   {'rendition':<10} {'oqu s':>8} {'hand s':>8} {'ratio':>7} {'CPU ratio':>10} {'realtime×':>10}")
    for setting in site.config.media.renditions:
        oqu_times, hand_times = [], []
        for _ in range(repeat):
            cache_dir = root / "bench-cache"
            shutil.rmtree(cache_dir, ignore_errors=True)
            cache = MediaCache(cache_dir)
            library = plan_media(site, site.config.media, cache)
            output = next(r.output for m in library.lessons.values() if m.video
                          for r in m.video.renditions if r.height == setting.height)  # fmt: skip

            def by_oqu(cache: MediaCache = cache, output: object = output) -> None:
                with cache.writing(output.path) as scratch:  # type: ignore[attr-defined]
                    output.make(scratch, lambda _: None)  # type: ignore[attr-defined]

            oqu_times.append(cpu_timed(by_oqu))
            target = root / f"hand-{setting.height}.mp4"
            stream = video_rendition(
                root / "content/courses/first-aid/01-basics/media/lecture.mp4", target, setting.height,
                setting.crf, site.config.media.preset, setting.audio_bitrate, True,
            )  # fmt: skip
            hand_times.append(cpu_timed(lambda s=stream: subprocess.run(command(s), check=True)))
            target.unlink()
        best, hand = min(w for w, _ in oqu_times), min(w for w, _ in hand_times)
        cpu, hand_cpu = min(c for _, c in oqu_times), min(c for _, c in hand_times)
        print(
            f"   {str(setting.height) + 'p':<10} {best:8.2f} {hand:8.2f} {best / hand:7.3f} "
            f"{cpu / hand_cpu:10.3f} {duration / best:10.2f}   (wall, CPU s: oqu "
            f"{', '.join(f'{w:.1f}/{c:.1f}' for w, c in oqu_times)}; by hand "
            f"{', '.join(f'{w:.1f}/{c:.1f}' for w, c in hand_times)})"
        )


def build_figures(root: Path) -> None:
    shutil.rmtree(root / "build", ignore_errors=True)
    first = build_site(root, root / "build")
    site, _ = check_content(root)
    assert site is not None
    shutil.rmtree(root / "build/media")  # the media phase alone, on an empty cache, then cached
    media_first = timed(lambda: build_media(site, root / "build/media"))
    media_second = timed(lambda: build_media(site, root / "build/media"))
    second = build_site(root, root / "build")
    print("\n2. builds (in parallel, up to the core count):")
    print(f"   first build_site:  {first.seconds:8.2f} s  ({first.media_encoded} media files encoded)")
    print(f"   second build_site: {second.seconds:8.2f} s  ({second.media_encoded} encoded)")
    print(f"   ratio second / first build_site: {second.seconds / first.seconds:.4f}")
    print(f"   media phase alone: first {media_first:.2f} s, cached {media_second * 1000:.1f} ms, "
          f"ratio {media_second / media_first:.5f} (goal < 0.01)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="oqu-media-bench-"))
    try:
        source = folder / "source-1080p.mp4"
        print(f"cores: {os.cpu_count()}, load: {os.getloadavg()[0]:.2f}; ffmpeg: "
              + subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.split("\n")[0])  # fmt: skip
        print(
            f"generating a {args.seconds} s 1080p test video: {timed(lambda: make_source(source, args.seconds)):.1f} s"
        )
        info = probe(source)
        print(
            f"source: {info.width}×{info.height}, {info.duration:.1f} s, {source.stat().st_size / 1e6:.1f} MB"
        )
        make_site(folder / "site", source)
        rendition_figures(folder / "site", args.repeat, info.duration)
        build_figures(folder / "site")
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
