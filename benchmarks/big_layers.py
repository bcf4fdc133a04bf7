"""Real layers drawn as a region: time to the first frame, total time and peak memory.

For ResNet-18's first layer, VGG's first 3×3 layer and MobileNet's first depthwise layer (each
drawn as the top-left region convgif chooses, 300 frames), and, to show what memory follows,
the same ResNet layer on a 64×64 input (the same region) and a 512-channel layer; then real
layers of the other kinds: ResNet's max pool, a 512-channel average pool, U-Net's 2×2
up-convolution, a stride-2 transposed convolution and an unpooling; then layers past the 20
million numbers convgif computes whole, computed only for the part drawn (a U-Net's on
1×1024×1024 and 64×1024×1024, VGG's at 512×512, and those networks' pooling, transposed and
up-sampling layers at those sizes), and the U-Net layer on 64×64 for its memory.
Each render runs in a fresh process (peak RSS from the kernel). Targets: first frame under 1 s
for every layer, a 300-frame GIF of ResNet's stem under 5 s, peak memory following the part
drawn (at most 1.5× for the larger input). Then far larger layers of every kind that draws
parts (pooling, transposed, up-sampling, shuffle, padding, separable, unpooling, LP and fractional
pooling, Unfold, and the 3-D ones), each beside the same part of a small layer of its kind
(first frame under 1 s; peak memory at most 1.5× the small one's). Last, 3-D poolings with --values
whose 49×49×49 window sums 117,649 cells, each beside the same pooling over one depth slice
(2,401 cells, the same 49×49 slice drawn a frame): a frame at most 2× as long (a sum line
writes only the terms it shows).

    python benchmarks/big_layers.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CASES = {
    "ResNet-18 stem: --in 3,224,224 --out 64 --k 7 --s 2 --p 3 --no-bias": dict(
        input_shape=(3, 224, 224), out_channels=64, kernel_size=7, stride=2, padding=3, bias=False
    ),
    "VGG conv1_1: --in 3,224,224 --out 64 --k 3 --p 1": dict(
        input_shape=(3, 224, 224), out_channels=64, kernel_size=3, padding=1
    ),
    "MobileNet depthwise: --in 32,112,112 --out 32 --k 3 --g 32 --p 1": dict(
        input_shape=(32, 112, 112), out_channels=32, kernel_size=3, padding=1, groups=32
    ),
    "the ResNet stem on 3x64x64": dict(
        input_shape=(3, 64, 64), out_channels=64, kernel_size=7, stride=2, padding=3, bias=False
    ),
    "512 channels: --in 512,28,28 --out 512 --k 3 --p 1": dict(
        input_shape=(512, 28, 28), out_channels=512, kernel_size=3, padding=1
    ),
    "ResNet max pool: --layer MaxPool2d --in 64,112,112 --k 3 --s 2 --p 1": dict(
        layer="MaxPool2d", input_shape=(64, 112, 112), kernel_size=3, stride=2, padding=1
    ),
    "average pool: --layer AvgPool2d --in 512,28,28 --k 2": dict(
        layer="AvgPool2d", input_shape=(512, 28, 28), kernel_size=2
    ),
    "U-Net up: --layer ConvTranspose2d --in 512,28,28 --out 256 --k 2 --s 2": dict(
        layer="ConvTranspose2d", input_shape=(512, 28, 28), out_channels=256, kernel_size=2, stride=2
    ),
    "upsampling: --layer ConvTranspose2d --in 64,56,56 --out 64 --k 3 --s 2 --p 1 --output-padding 1": dict(
        layer="ConvTranspose2d",
        input_shape=(64, 56, 56),
        out_channels=64,
        kernel_size=3,
        stride=2,
        padding=1,
        output_padding=1,
    ),
    "unpooling: --layer MaxUnpool2d --in 64,56,56 --k 2": dict(
        layer="MaxUnpool2d", input_shape=(64, 56, 56), kernel_size=2
    ),
    "U-Net at 1024: --in 1,1024,1024 --out 64 --k 3 --p 1": dict(
        input_shape=(1, 1024, 1024), out_channels=64, kernel_size=3, padding=1
    ),
    "U-Net at 1024: --in 64,1024,1024 --out 64 --k 3 --p 1": dict(
        input_shape=(64, 1024, 1024), out_channels=64, kernel_size=3, padding=1
    ),
    "the same U-Net layer on 64x64x64": dict(input_shape=(64, 64, 64), out_channels=64, kernel_size=3, padding=1),
    "VGG at 512: --in 64,512,512 --out 64 --k 3 --p 1": dict(
        input_shape=(64, 512, 512), out_channels=64, kernel_size=3, padding=1
    ),
    "VGG at 512: --in 512,64,64 --out 512 --k 3 --p 1": dict(
        input_shape=(512, 64, 64), out_channels=512, kernel_size=3, padding=1
    ),
    "VGG at 512: --layer MaxPool2d --in 64,512,512 --k 2": dict(
        layer="MaxPool2d", input_shape=(64, 512, 512), kernel_size=2
    ),
    "U-Net at 1024: --layer ConvTranspose2d --in 16,512,512 --out 8 --k 2 --s 2": dict(
        layer="ConvTranspose2d", input_shape=(16, 512, 512), out_channels=8, kernel_size=2, stride=2
    ),
    "U-Net at 1024: --layer ConvTranspose2d --in 128,512,512 --out 64 --k 2 --s 2": dict(
        layer="ConvTranspose2d", input_shape=(128, 512, 512), out_channels=64, kernel_size=2, stride=2
    ),
    "U-Net at 1024: --layer MaxPool2d --in 64,1024,1024 --k 2": dict(
        layer="MaxPool2d", input_shape=(64, 1024, 1024), kernel_size=2
    ),
    "--layer Upsample --in 64,512,512 --scale-factor 2 --mode bilinear": dict(
        layer="Upsample", input_shape=(64, 512, 512), scale_factor=2, mode="bilinear"
    ),
}

#: Far larger layers, each beside the same part of a small one of its kind: (name, arguments,
#: the small one's input shape). Their first frame is held to 1 s too: every example value is
#: computed from its position alone, so a part costs the part, not the layer.
PAIRS = {
    "--layer MaxPool2d --in 64,2048,2048 --k 2 --s 2 --region 0:5,0:5": (
        dict(layer="MaxPool2d", input_shape=(64, 2048, 2048), kernel_size=2, stride=2, region="0:5,0:5"),
        (64, 64, 64),
    ),
    "--layer AvgPool2d --in 64,2048,2048 --k 3 --s 2 --p 1 --region 0:3,0:3": (
        dict(layer="AvgPool2d", input_shape=(64, 2048, 2048), kernel_size=3, stride=2, padding=1, region="0:3,0:3"),
        (64, 64, 64),
    ),
    "--layer ConvTranspose2d --in 64,1024,1024 --out 32 --k 2 --s 2 --region 0:16,0:16": (
        dict(
            layer="ConvTranspose2d",
            input_shape=(64, 1024, 1024),
            out_channels=32,
            kernel_size=2,
            stride=2,
            region="0:16,0:16",
        ),
        (64, 64, 64),
    ),
    "--layer Upsample --in 64,1024,1024 --scale-factor 2 --mode bilinear --region 0:7,0:7": (
        dict(layer="Upsample", input_shape=(64, 1024, 1024), scale_factor=2, mode="bilinear", region="0:7,0:7"),
        (64, 32, 32),
    ),
    "--layer AdaptiveAvgPool2d --in 64,1024,1024 --output-size 512 --region 0:4,0:4": (
        dict(layer="AdaptiveAvgPool2d", input_shape=(64, 1024, 1024), output_size=512, region="0:4,0:4"),
        (64, 64, 64),
    ),
    "--layer PixelShuffle --in 256,512,512 --upscale-factor 2 --region 0:10,0:10": (
        dict(layer="PixelShuffle", input_shape=(256, 512, 512), upscale_factor=2, region="0:10,0:10"),
        (256, 32, 32),
    ),
    "--layer ReflectionPad2d --in 64,2048,2048 --padding 3 --region 0:8,0:8": (
        dict(layer="ReflectionPad2d", input_shape=(64, 2048, 2048), padding=3, region="0:8,0:8"),
        (64, 64, 64),
    ),
    # three axes: one picture per output depth slice, so the small layer keeps the depth
    "--layer Upsample --in 32,64,128,128 --scale-factor 2 --mode trilinear --region 0:2,0:1": (
        dict(
            layer="Upsample",
            input_shape=(32, 64, 128, 128),
            scale_factor=2,
            mode="trilinear",
            region="0:2,0:1",
        ),
        (32, 64, 8, 8),
    ),
    "--layer ReflectionPad3d --in 32,64,128,128 --padding 1 --region 0:2,0:2": (
        dict(layer="ReflectionPad3d", input_shape=(32, 64, 128, 128), padding=1, region="0:2,0:2"),
        (32, 64, 8, 8),
    ),
    "--layer ConstantPad3d --in 32,64,128,128 --padding 1 --value 0.5 --region 0:2,0:2": (
        dict(layer="ConstantPad3d", input_shape=(32, 64, 128, 128), padding=1, value=0.5, region="0:2,0:2"),
        (32, 64, 8, 8),
    ),
    "--layer MaxUnpool3d --in 32,64,128,128 --k 2 --region 0:2,0:4": (
        dict(layer="MaxUnpool3d", input_shape=(32, 64, 128, 128), kernel_size=2, region="0:2,0:4"),
        (32, 64, 8, 8),
    ),
    "MobileNet at 2048: --layer separable --in 32,1024,1024 --out 64 --k 3 --p 1 --region 0:4,0:4": (
        dict(
            layer="separable", input_shape=(32, 1024, 1024), out_channels=64, kernel_size=3, padding=1, region="0:4,0:4"
        ),
        (32, 64, 64),
    ),
    "--layer Fold --in 900,99856 --output-size 318,318 --k 3 --region 0:1,100:104": (
        dict(layer="Fold", input_shape=(900, 99856), output_size=318, kernel_size=3, region="0:1,100:104"),
        dict(input_shape=(900, 11664), output_size=110),  # its columns follow output_size
    ),
    "SegNet decoder: --layer MaxUnpool2d --in 64,1024,1024 --k 2 --region 0:4,0:4": (
        dict(layer="MaxUnpool2d", input_shape=(64, 1024, 1024), kernel_size=2, region="0:4,0:4"),
        (64, 32, 32),
    ),
    "--layer LPPool2d --in 64,2048,2048 --norm-type 2 --k 2 --region 0:4,0:4": (
        dict(layer="LPPool2d", input_shape=(64, 2048, 2048), norm_type=2, kernel_size=2, region="0:4,0:4"),
        (64, 64, 64),
    ),
    "--layer FractionalMaxPool2d --in 64,2048,2048 --k 2 --output-ratio 0.5 --region 0:4,0:4": (
        dict(
            layer="FractionalMaxPool2d", input_shape=(64, 2048, 2048), kernel_size=2, output_ratio=0.5, region="0:4,0:4"
        ),
        (64, 64, 64),
    ),
    "--layer Unfold --in 3,4096,4096 --k 3 --p 1 --region 0:16": (
        dict(layer="Unfold", input_shape=(3, 4096, 4096), kernel_size=3, padding=1, region="0:16"),
        (3, 64, 64),
    ),
    "--layer ChannelShuffle --in 6,4096,4096 --groups 3 --region 0:8,0:8": (
        dict(layer="ChannelShuffle", input_shape=(6, 4096, 4096), groups=3, region="0:8,0:8"),
        (6, 64, 64),
    ),
    # a 3-D layer draws every output depth: the small one has the same depths and channels
    "--layer Conv3d --in 32,64,128,128 --out 32 --k 3 --p 1 --region 0:2,0:2": (
        dict(
            layer="Conv3d", input_shape=(32, 64, 128, 128), out_channels=32, kernel_size=3, padding=1, region="0:2,0:2"
        ),
        (32, 64, 16, 16),
    ),
    "--layer Conv3d --in 64,64,256,256 --out 64 --k 3 --p 1 --region 0:2,0:2": (
        dict(
            layer="Conv3d", input_shape=(64, 64, 256, 256), out_channels=64, kernel_size=3, padding=1, region="0:2,0:2"
        ),
        (64, 64, 16, 16),
    ),
    "--layer ConvTranspose3d --in 64,32,64,64 --out 32 --k 2 --s 2 --region 0:2,0:2": (
        dict(
            layer="ConvTranspose3d",
            input_shape=(64, 32, 64, 64),
            out_channels=32,
            kernel_size=2,
            stride=2,
            region="0:2,0:2",
        ),
        (64, 32, 8, 8),
    ),
    "--layer ConvTranspose3d --in 128,32,256,256 --out 64 --k 2 --s 2 --region 0:2,0:2": (
        dict(
            layer="ConvTranspose3d",
            input_shape=(128, 32, 256, 256),
            out_channels=64,
            kernel_size=2,
            stride=2,
            region="0:2,0:2",
        ),
        (128, 32, 8, 8),
    ),
    # a 3-D pooling draws the same rows and columns of every output depth slice: the small layer
    # has the depth and channels of the large one, and its part is the same
    "--layer MaxPool3d --in 32,64,128,128 --k 2 --region 0:3,0:3": (
        dict(layer="MaxPool3d", input_shape=(32, 64, 128, 128), kernel_size=2, region="0:3,0:3"),
        (32, 64, 16, 16),
    ),
    "--layer AvgPool3d --in 16,64,256,256 --k 3 --s 2 --p 1 --region 0:3,0:3": (
        dict(layer="AvgPool3d", input_shape=(16, 64, 256, 256), kernel_size=3, stride=2, padding=1, region="0:3,0:3"),
        (16, 64, 16, 16),
    ),
    "--layer AdaptiveMaxPool3d --in 32,64,128,128 --output-size 16,32,32 --region 0:3,0:3": (
        dict(layer="AdaptiveMaxPool3d", input_shape=(32, 64, 128, 128), output_size=(16, 32, 32), region="0:3,0:3"),
        (32, 64, 32, 32),
    ),
    "--layer LPPool3d --in 32,64,128,128 --norm-type 2 --k 2 --region 0:3,0:3": (
        dict(layer="LPPool3d", input_shape=(32, 64, 128, 128), norm_type=2, kernel_size=2, region="0:3,0:3"),
        (32, 64, 16, 16),
    ),
    "--layer FractionalMaxPool3d --in 32,64,128,128 --k 2 --output-size 32,32,32 --region 0:3,0:3": (
        dict(
            layer="FractionalMaxPool3d",
            input_shape=(32, 64, 128, 128),
            kernel_size=2,
            output_size=(32, 32, 32),
            region="0:3,0:3",
        ),
        (32, 64, 48, 48),
    ),
}

#: Poolings whose window holds 117,649 cells, each beside the same pooling over one depth slice
#: (2,401 cells): both draw one 49×49 slice a frame, and a sum line shows a few dozen terms of
#: either, so that a frame costs what it draws, not what the window holds.
SUM_LINES = {
    f"--layer {kind} --in 1,60,60,60 --k 49 --s 1 --values": dict(
        layer=kind, input_shape=(1, 60, 60, 60), kernel_size=49, stride=1, values=True
    )
    for kind in ("MaxPool3d", "AvgPool3d")
}
#: A frame of such a pooling takes at most this many times one of a window over one slice.
TARGET_SUM_LINE = 2

CHILD = r"""
import json, resource, sys, time
started = time.perf_counter()
import convgif
from convgif import ops
arguments, path = json.loads(sys.argv[1]), sys.argv[2]
arguments["input_shape"] = tuple(arguments["input_shape"])
first = []
region = arguments.pop("region", None)
values = arguments.pop("values", False)
spec = ops.operation(arguments.pop("layer", "Conv2d")).build(**arguments)
done = []
result = convgif.render(spec, path, region=region, values=values,
                        progress=lambda n, total: (first or first.append(time.perf_counter() - started),
                                                   done.append(time.perf_counter() - started)))
per_frame = (done[-1] - done[0]) / (len(done) - 1) if len(done) > 1 else done[0]
print(json.dumps({"first": first[0], "total": time.perf_counter() - started, "frames": result.frames,
                  "per_frame": per_frame,
                  "size": result.size, "bytes": result.bytes, "region": result.region.text() if result.region else None,
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(arguments: dict, folder: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(arguments), str(folder / "x.gif")],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one run each (default: the median of three)")
    args = parser.parse_args()
    repeats = 1 if args.quick else 3
    results = {}
    pairs = {}
    with tempfile.TemporaryDirectory() as folder:

        def median(arguments: dict) -> dict:
            runs = sorted((run(arguments, Path(folder)) for _ in range(repeats)), key=lambda r: r["total"])
            return runs[len(runs) // 2]

        for name, arguments in CASES.items():
            results[name] = median(arguments)
        for name, (arguments, small) in PAIRS.items():  # side by side: the huge layer, then the small
            smaller = small if isinstance(small, dict) else {"input_shape": small}  # what the small one changes
            pairs[name] = median(arguments), median({**arguments, **smaller})
        sums = {}
        for name, arguments in SUM_LINES.items():  # side by side: with values, then without
            sums[name] = median(arguments), median({**arguments, "kernel_size": (1, 49, 49)})
    print(f"{'layer':96} {'first s':>8} {'total s':>8} {'frames':>6} {'size':>10} {'MiB':>7}  region")
    for name, r in results.items():
        size = f"{r['size'][0]}x{r['size'][1]}"
        print(
            f"{name:96} {r['first']:8.2f} {r['total']:8.2f} {r['frames']:6d} {size:>10} {r['rss']:7.1f}  {r['region']}"
        )
    print()
    print(
        f"{'far larger layers, beside the same part of a small one':96} {'first s':>8} {'MiB':>7} {'small MiB':>10}  ratio"
    )
    for name, (huge, small) in pairs.items():
        ratio = huge["rss"] / small["rss"]
        print(f"{name:96} {huge['first']:8.2f} {huge['rss']:7.1f} {small['rss']:10.1f}  {ratio:.2f}x")
        assert huge["region"] == small["region"], (huge["region"], small["region"])
    print()
    stem = results[next(iter(CASES))]
    worst_first = max(r["first"] for r in results.values())
    slowest = max(pairs, key=lambda name: pairs[name][0]["first"])
    far_first = pairs[slowest][0]["first"]
    small = results["the ResNet stem on 3x64x64"]
    unet, unet_small = (
        results["U-Net at 1024: --in 64,1024,1024 --out 64 --k 3 --p 1"],
        results["the same U-Net layer on 64x64x64"],
    )
    lines = [
        ("time to the first frame, every layer", f"{worst_first:.2f} s", "< 1 s", worst_first < 1),
        (
            f"time to the first frame, far larger layers of every kind that draws parts (slowest: {slowest})",
            f"{far_first:.2f} s",
            "< 1 s",
            far_first < 1,
        ),
        ("300-frame GIF of ResNet's stem", f"{stem['total']:.2f} s", "< 5 s", stem["total"] < 5),
        (
            "peak memory, ResNet stem on 224x224 / on 64x64 (same region)",
            f"{stem['rss'] / small['rss']:.2f}x",
            "<= 1.5x",
            stem["rss"] / small["rss"] <= 1.5,
        ),
        (
            "peak memory, a U-Net layer on 64x1024x1024 / on 64x64x64 (same region)",
            f"{unet['rss'] / unet_small['rss']:.2f}x",
            "<= 1.5x",
            unet["rss"] / unet_small["rss"] <= 1.5,
        ),
    ]
    worst = max(pairs, key=lambda name: pairs[name][0]["rss"] / pairs[name][1]["rss"])
    most = pairs[worst][0]["rss"] / pairs[worst][1]["rss"]
    lines.append(
        (
            f"peak memory, far larger layers of the kinds that draw parts / the same part of a small one (worst: "
            f"{worst.split(' --region')[0]})",
            f"{most:.2f}x",
            "<= 1.5x",
            most <= 1.5,
        )
    )
    print()
    print(
        f"{'long sum lines: a frame beside one of a window over one slice':96} {'first s':>8} {'frame s':>8} {'slice s':>8}  ratio"
    )
    for name, (written, plain) in sums.items():
        ratio = written["per_frame"] / plain["per_frame"]
        print(f"{name:96} {written['first']:8.2f} {written['per_frame']:8.3f} {plain['per_frame']:8.3f}  {ratio:.2f}x")
    longest = max(sums, key=lambda name: sums[name][0]["per_frame"] / sums[name][1]["per_frame"])
    ratio = sums[longest][0]["per_frame"] / sums[longest][1]["per_frame"]
    lines.append(
        (
            f"time a frame, a pooling window of 117,649 cells / of 2,401 (worst: {longest})",
            f"{ratio:.2f}x",
            f"<= {TARGET_SUM_LINE:g}x",
            ratio <= TARGET_SUM_LINE,
        )
    )
    print()
    for what, figure, bound, met in lines:
        print(f"{what}: {figure} (target {bound}): {'met' if met else 'MISSED'}")
    if not all(met for *_, met in lines):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
