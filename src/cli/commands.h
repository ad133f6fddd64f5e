// One function per subcommand, each in its own cmd_<name>.cpp. argv starts after the command name.
#pragma once

namespace wg {
int cmd_world(int argc, char** argv);
int cmd_pretrain(int argc, char** argv);
int cmd_finetune(int argc, char** argv);
int cmd_sample(int argc, char** argv);
int cmd_score(int argc, char** argv);
int cmd_hash(int argc, char** argv);
int cmd_bench(int argc, char** argv);
int cmd_eval(int argc, char** argv);
int cmd_probe(int argc, char** argv);
int cmd_reproduce(int argc, char** argv);
int cmd_check(int argc, char** argv);
}  // namespace wg
