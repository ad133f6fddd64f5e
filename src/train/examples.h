// From documents and chats to training examples and prompts. Every sequence the model sees starts
// with the DOC token, in pretraining, finetuning and evaluation alike, so a prompt looks exactly
// like the start of a training document.
#pragma once
#include <string>
#include <vector>

#include "text/chat.h"
#include "text/tokenizer.h"
#include "train/data.h"

namespace wg {

// Pretraining: every token after DOC is predicted.
Example example_from_doc(const Tokenizer& tok, const Doc& doc);
// Finetuning: only the assistant's tokens (and the END closing each assistant turn) are predicted.
// `soft` are the ids of the model's soft prompt (GPT::prompt_ids; empty without one): they follow DOC.
Example example_from_chat(const Tokenizer& tok, const Chat& chat, const std::vector<int>& soft);
// A prompt for the assistant's answer: DOC, the soft prompt's ids, the chat's messages, ASSISTANT.
std::vector<int> prompt_tokens(const Tokenizer& tok, const Chat& chat, const std::vector<int>& soft);
// The texts the tokenizer is trained on: prose and message contents.
std::vector<std::string_view> tokenizer_texts(const std::vector<Doc>& docs);

}  // namespace wg
