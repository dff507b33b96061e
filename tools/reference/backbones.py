"""mtmc's ResNet-18 and Darknet backbones in plain PyTorch (no torchvision), with mtmc's heads,
for the engine benchmark: the same layers, shapes and work as Sources/MTMC/Models."""
import torch.nn as nn
import torch.nn.functional as F

from tiny_net import Head, Tiny


def conv_bn(cin, cout, k, stride=1, padding=None):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2 if padding is None else padding, bias=False),
                         nn.BatchNorm2d(cout))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.first, self.second = conv_bn(cin, cout, 3, stride), conv_bn(cout, cout, 3)
        self.downsample = conv_bn(cin, cout, 1, stride, 0) if stride != 1 or cin != cout else None

    def forward(self, x):
        out = self.second(F.relu(self.first(x)))
        return F.relu(out + (self.downsample(x) if self.downsample is not None else x))


class ResNet18(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.stem = conv_bn(3, 64, 7, 2, 3)
        blocks, c = [], 64
        for i, w in enumerate([64, 128, 256, 512]):
            blocks += [BasicBlock(c, w, 1 if i == 0 else 2), BasicBlock(w, w, 1)]
            c = w
        self.blocks = nn.Sequential(*blocks)
        self.heads = nn.ModuleList(Head(512, k) for k in classes)

    def forward(self, x, task):
        x = F.max_pool2d(F.relu(self.stem(x)), 3, 2, 1)
        return self.heads[task](self.blocks(x).mean((2, 3)))


class Darknet(nn.Module):
    LAYOUT = [(3, 32, 3), (32, 64, 3), (64, 128, 3), (128, 64, 1), (64, 128, 3), (128, 256, 3), (256, 128, 1),
              (128, 256, 3), (256, 512, 3), (512, 256, 1), (256, 512, 3)]
    POOLS_AFTER = {0, 1, 4, 7}

    def __init__(self, classes):
        super().__init__()
        self.convs = nn.ModuleList(conv_bn(i, o, k) for i, o, k in self.LAYOUT)
        self.heads = nn.ModuleList(Head(512, k) for k in classes)

    def forward(self, x, task):
        for i, conv in enumerate(self.convs):
            x = F.leaky_relu(conv(x), 0.1)
            if i in self.POOLS_AFTER:
                x = F.max_pool2d(x, 2)
        return self.heads[task](x.mean((2, 3)))


MODELS = {"tiny": Tiny, "resnet18": ResNet18, "darknet": Darknet}
