# Written for lucidnet's compat tests; exercises the API of "Datasets & DataLoaders" (https://pytorch.org/tutorials/beginner/basics/data_tutorial.html) in the way that tutorial uses it. Not a copy of it.
import torch
from standins import ToTensor, datasets, plt
from torch.utils.data import DataLoader, Dataset

KINDS = {0: "tee", 1: "trousers", 2: "jumper", 3: "dress", 4: "coat",
         5: "sandal", 6: "shirt", 7: "trainer", 8: "bag", 9: "boot"}

train_images = datasets.FashionMNIST(root="data", train=True, download=True, transform=ToTensor())
test_images = datasets.FashionMNIST(root="data", train=False, download=True, transform=ToTensor())
print("sizes:", len(train_images), len(test_images))

# pick a few samples at random, as one would to look at them
fig = plt.figure(figsize=(6, 6))
for slot in range(1, 7):
    pick = torch.randint(len(train_images), size=(1,)).item()
    picture, kind = train_images[pick]
    fig.add_subplot(2, 3, slot)
    plt.title(KINDS[kind])
    plt.axis("off")
    plt.imshow(picture.squeeze(), cmap="gray")
    print(f"#{pick} {KINDS[kind]} ink={picture.squeeze().sum().item():.3f} "
          f"shape={tuple(picture.shape)}")
plt.show()


class ClassSubset(Dataset):
    # our own Dataset: wraps another one and keeps the samples of chosen classes; the
    # transforms apply to what it hands out (here: pixels to [-1, 1], labels to 0-d tensors)

    def __init__(self, base, keep, transform=None, target_transform=None):
        self.base = base
        self.rows = [i for i in range(len(base)) if base[i][1] in keep]
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        image, label = self.base[self.rows[i]]
        if self.transform:
            image = self.transform(image)
        if self.target_transform:
            label = self.target_transform(label)
        return image, label


shoes = ClassSubset(test_images, keep={5, 7, 9}, transform=lambda im: im * 2 - 1,
                   target_transform=lambda lab: torch.tensor(lab - 5))
print("shoes:", len(shoes))

shuffled = DataLoader(train_images, batch_size=50, shuffle=True)
feats, labs = next(iter(shuffled))
print(f"features {feats.size()} labels {labs.size()}")
print("first labels:", labs[:8].tolist(), "first image ink:", round(feats[0].sum().item(), 3))
plt.imshow(feats[0].squeeze(), cmap="gray")
plt.show()

shoe_loader = DataLoader(shoes, batch_size=16, shuffle=True)
for n, (xb, yb) in enumerate(shoe_loader):
    print(n, tuple(xb.shape), yb.tolist(), f"{xb.mean().item():.4f}")
print("batches per epoch:", len(shoe_loader), len(shuffled))
