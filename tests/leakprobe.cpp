// Leaks 4 KiB on purpose. tst_storm runs it (sanitizer builds) to prove that
// LeakSanitizer does report here before it trusts a clean exit of
// socklab-cli: under ptrace, or with detect_leaks=0, LSan stays silent.

#include <cstdio>
#include <cstdlib>
#include <cstring>

int main()
{
    char *lost = static_cast<char *>(std::malloc(4096));
    if (!lost)
        return 2;
    std::strcpy(lost, "leaked on purpose");
    std::puts(lost);
    lost = nullptr;
    return 0;
}
