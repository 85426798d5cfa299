# Written for lucidnet's compat tests; exercises the API of "Tensors" (https://pytorch.org/tutorials/beginner/basics/tensorqs_tutorial.html) in the way that tutorial uses it. Not a copy of it.
import numpy as np
import torch

# --- making tensors
rows = [[5, 6, 7], [8, 9, 10]]
from_list = torch.tensor(rows)
from_array = torch.from_numpy(np.array(rows))
print(f"from a list:\n{from_list}\nfrom NumPy:\n{from_array}")
print(f"like it, all ones:\n{torch.ones_like(from_list)}")
print(f"like it, random floats:\n{torch.rand_like(from_list, dtype=torch.float)}")

dims = (3, 2,)
for label, maker in [("rand", torch.rand), ("ones", torch.ones), ("zeros", torch.zeros)]:
    print(f"{label}{dims}:\n{maker(dims)}")

# --- what a tensor knows about itself
probe = torch.rand(2, 5)
print(f"shape {probe.shape}, dtype {probe.dtype}, device {probe.device}")
if torch.cuda.is_available():
    probe = probe.to("cuda")

# --- indexing and slicing
grid = torch.arange(1, 17, dtype=torch.float32).reshape(4, 4)
print("row 1:", grid[1])
print("column 2:", grid[:, 2])
print("last column:", grid[..., -1])
grid[:, 0] = -1
grid[2] = 0.5
print(grid)

# --- joining
print(torch.cat([grid, grid[:, :2]], dim=1))
print(torch.cat([grid[:1], grid[3:]], dim=0).shape)

# --- arithmetic, with and without out=
gram1 = grid @ grid.T
gram2 = grid.matmul(grid.T)
gram3 = torch.rand_like(grid)
torch.matmul(grid, grid.T, out=gram3)
print(gram1, gram2, gram3, sep="\n")
sq1 = grid * grid
sq2 = grid.mul(grid)
sq3 = torch.zeros_like(grid)
torch.mul(grid, grid, out=sq3)
print(sq1, sq2, sq3, sep="\n")

total = grid.sum()
value = total.item()
print("sum as a Python number:", value, type(value))
grid.add_(10)
print("after add_(10):\n", grid)

# --- NumPy bridge: both sides share memory
shared = torch.zeros(4)
as_np = shared.numpy()
shared.add_(2)
print(f"tensor {shared} / array {as_np}")
arr = np.arange(3.0)
wrapped = torch.from_numpy(arr)
np.multiply(arr, 3, out=arr)
print(f"array {arr} / tensor {wrapped}")
