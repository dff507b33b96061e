"""The "tiny" multi-task net of mtmc in PyTorch, shared by the training reference and the engine benchmark:
four conv3x3+BN+ReLU blocks (32–256 channels) with max pools, global average pooling, one MTMC head per task
(Linear(F,F) → BN1d → ReLU → Linear(F, classes), initialised as the original)."""
import torch.nn as nn
import torch.nn.functional as F


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class Head(nn.Module):
    def __init__(self, f, k):
        super().__init__()
        self.embed, self.bn, self.classifier = nn.Linear(f, f), nn.BatchNorm1d(f), nn.Linear(f, k)
        nn.init.kaiming_normal_(self.embed.weight, mode="fan_out"); nn.init.zeros_(self.embed.bias)
        nn.init.normal_(self.classifier.weight, std=0.001); nn.init.zeros_(self.classifier.bias)

    def forward(self, x):
        return self.classifier(F.relu(self.bn(self.embed(x))))


class Tiny(nn.Module):
    def __init__(self, classes):
        super().__init__()
        w = [3, 32, 64, 128, 256]
        self.blocks = nn.ModuleList(block(w[i], w[i + 1]) for i in range(4))
        for b in self.blocks:
            nn.init.kaiming_normal_(b[0].weight, mode="fan_out", nonlinearity="relu")
        self.heads = nn.ModuleList(Head(256, k) for k in classes)

    def forward(self, x, task):
        for i, b in enumerate(self.blocks):
            x = b(x)
            if i < 3:
                x = F.max_pool2d(x, 2)
        return self.heads[task](x.mean((2, 3)))
