/// glibc's malloc_trim, which Swift's Glibc module does not export (it lives in <malloc.h>):
/// hands freed heap back to the kernel, so a scan of a large site does not leave the idle
/// daemon holding its peak.
@_silgen_name("malloc_trim")
func malloc_trim(_ pad: Int) -> Int32
