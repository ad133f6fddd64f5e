#include "train/trainer.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/progress.h"
#include "kernels/kernels.h"
#include "train/schedule.h"

namespace wg {

int64_t total_steps(const TrainConfig& tc, Batcher& data) {
    if (tc.steps > 0) return tc.steps;
    if (tc.epochs <= 0) fail("the run config sets neither [train] steps nor [train] epochs");
    int64_t rows = 0;
    for (int64_t e = 0; e < tc.epochs; e++) rows += data.rows_in_epoch(e);
    return (rows + tc.batch - 1) / tc.batch;
}

// beta^t by repeated squaring in double: exact IEEE operations, the same everywhere.
static double power(double b, int64_t t) {
    double r = 1.0;
    while (t > 0) {
        if (t & 1) r *= b;
        b *= b;
        t >>= 1;
    }
    return r;
}

static bool decays(Tensor::Kind k) { return k == Tensor::Matrix || k == Tensor::Embedding || k == Tensor::LoraA || k == Tensor::LoraB; }

TrainSummary train(GPT& model, const TrainConfig& tc, Batcher& data, TrainState& st, const TrainOptions& opt) {
    const int64_t total = total_steps(tc, data);
    if (!st.present) {
        st = TrainState{};
        st.present = true;
        st.seed = tc.seed;
        st.m.assign(model.params.size(), 0.0f);
        st.v.assign(model.params.size(), 0.0f);
    }
    if (st.m.size() != model.params.size()) fail("optimizer state does not match the model");
    TrainSummary sum;
    Progress prog(opt.label, opt.stop_at > 0 ? std::min(total, opt.stop_at) : total, tc.log_every);
    int64_t tokens_seen = 0;
    float ema = 0.0f;
    int64_t saved_step = -1;  // the step of this run's last periodic checkpoint
    for (; st.step < total; st.step++) {
        Batch b = data.next(tc.batch, st.epoch, st.cursor);
        float loss = model.forward(b.tokens.data(), b.targets.data(), b.B, b.T, true);
        if (!std::isfinite(loss)) {
            std::string kept;
            if (saved_step >= 0)
                kept = strfmt("; the last good checkpoint (step %lld) is kept in %s", (long long)saved_step,
                              opt.checkpoint_path.c_str());
            else if (!opt.checkpoint_path.empty())
                kept = strfmt("; no checkpoint of this run was written yet (%s is untouched)", opt.checkpoint_path.c_str());
            fail("%s: training diverged: the loss is %s at step %lld%s", opt.label.c_str(), std::isnan(loss) ? "nan" : "inf",
                 (long long)st.step + 1, kept.c_str());
        }
        model.zero_grad();
        model.backward();

        // Global gradient norm over what is trained, tensor by tensor in layout order.
        double sq = 0.0;
        for (size_t i = 0; i < model.tensors.size(); i++)
            if (model.trainable[i]) {
                const Tensor& t = model.tensors[i];
                const float* g = model.grads.data() + t.offset;
                for (size_t off = 0; off < t.size; off += 1 << 20) {
                    int n = (int)std::min<size_t>(1 << 20, t.size - off);
                    sq += (double)kernels::dot(g + off, g + off, n);
                }
            }
        const double norm = std::sqrt(sq);
        const float gscale = (tc.clip > 0 && norm > tc.clip) ? (float)(tc.clip / norm) : 1.0f;
        const float lr = lr_at(st.step, total, tc.warmup, tc.lr, tc.min_lr);
        const float bc1 = (float)(1.0 - power(tc.beta1, st.step + 1));
        const float bc2 = (float)(1.0 - power(tc.beta2, st.step + 1));
        for (size_t i = 0; i < model.tensors.size(); i++) {
            if (!model.trainable[i]) continue;
            const Tensor& t = model.tensors[i];
            kernels::adamw(model.params.data() + t.offset, model.grads.data() + t.offset, st.m.data() + t.offset,
                           st.v.data() + t.offset, t.size, lr, tc.beta1, tc.beta2, tc.eps,
                           decays(t.kind) ? tc.weight_decay : 0.0f, bc1, bc2, gscale);
        }

        tokens_seen += (int64_t)b.B * b.T;
        if (st.step == 0) sum.first_loss = loss;
        sum.last_loss = loss;
        ema = st.step == 0 ? loss : 0.9f * ema + 0.1f * loss;
        if (!opt.quiet)
            prog.update(st.step + 1, tokens_seen, strfmt("loss %.4f  lr %.2e  |g| %.2f", ema, lr, norm));
        // The state after this step, resumable: st.step counts the step as done while it is written
        // (rather than copying the optimizer moments to say so).
        auto save_state = [&](const std::string& path) {
            st.step++;
            save_checkpoint(path, model, opt.tokenizer_blob, opt.config_text, opt.meta, &st);
            st.step--;
        };
        if (!opt.checkpoint_path.empty() && tc.checkpoint_every > 0 && (st.step + 1) % tc.checkpoint_every == 0 &&
            st.step + 1 < total) {
            save_state(opt.checkpoint_path);
            saved_step = st.step + 1;
        }
        if (opt.snapshot_at > 0 && st.step + 1 == opt.snapshot_at) save_state(opt.snapshot_path);
        if (opt.stop_at > 0 && st.step + 1 >= opt.stop_at) {
            st.step++;
            break;
        }
    }
    sum.steps = total;
    sum.seconds = prog.seconds();
    sum.tokens_per_s = sum.seconds > 0 ? tokens_seen / sum.seconds : 0;
    if (!opt.quiet) prog.finish(strfmt("final loss %.4f, %.0f tok/s", sum.last_loss, sum.tokens_per_s));
    return sum;
}

}  // namespace wg
