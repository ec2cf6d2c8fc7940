/* The C host of ../cshared: loads the library given as its first argument,
   calls Fetch with the URL given as the second, and prints what it returned.
   It then waits a little: nothing in a C program flushes Go's telemetry at
   exit, so the batch span processor must have exported the spans by then. */
#include <dlfcn.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
	if (argc != 3) {
		fprintf(stderr, "usage: host LIBRARY URL\n");
		return 2;
	}
	void *lib = dlopen(argv[1], RTLD_NOW);
	if (lib == NULL) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return 1;
	}
	int (*fetch)(char *) = (int (*)(char *))dlsym(lib, "Fetch");
	if (fetch == NULL) {
		fprintf(stderr, "dlsym: %s\n", dlerror());
		return 1;
	}
	printf("%d\n", fetch(argv[2]));
	fflush(stdout);
	sleep(2);
	return 0;
}
