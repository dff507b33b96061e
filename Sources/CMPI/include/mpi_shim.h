// Open MPI, loaded at run time. MPI's C API names its handles with macros (MPI_COMM_WORLD, MPI_FLOAT,
// MPI_SUM, MPI_IN_PLACE) that Swift cannot import, and linking libmpi would make every build need Open MPI;
// this shim dlopens libmpi, resolves the functions and the handles behind those macros, and exposes plain
// functions on the world communicator. Every call but mtmc_mpi_load requires a successful load and init.
#ifndef MTMC_MPI_SHIM_H
#define MTMC_MPI_SHIM_H

/// Loads the library at `path` (NULL: libmpi.so.40, Open MPI 4 and 5). Returns 0, or -1 with the reason in `why`.
int mtmc_mpi_load(const char *path, char *why, int why_size);
/// MPI_Init on the world; 0 on success.
int mtmc_mpi_init(void);
int mtmc_mpi_rank(void);
int mtmc_mpi_size(void);
/// Sums `count` values in place across every rank (MPI_Allreduce, MPI_IN_PLACE); 0 on success.
int mtmc_mpi_sum_doubles(double *values, int count);
int mtmc_mpi_sum_floats(float *values, int count);
/// Copies `count` bytes from rank `root` to every rank (MPI_Bcast); 0 on success.
int mtmc_mpi_broadcast(void *bytes, int count, int root);
/// Every rank's `count` bytes, in rank order, into `all` (MPI_Allgather); 0 on success.
int mtmc_mpi_gather_all(const void *mine, void *all, int count);
int mtmc_mpi_barrier(void);
/// Ends every rank of the job (MPI_Abort); does not return.
void mtmc_mpi_abort(int code);
int mtmc_mpi_finalize(void);
/// The library's version line (MPI_Get_library_version), at most `size` bytes with the terminator.
void mtmc_mpi_library_version(char *out, int size);

#endif
