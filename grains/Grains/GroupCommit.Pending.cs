namespace Orleans.Tokens.Grains;

internal sealed partial class GroupCommit
{
    /// <summary>A change waiting for its write, as the writer sees it whatever its answer's type.</summary>
    private interface IPending
    {
        /// <summary>Decides against <paramref name="state"/>; answers at once when nothing changes.</summary>
        bool Decide(CustomerState state, out CustomerState next);
        /// <summary>The rows its change appends, as last decided.</summary>
        ImmutableArray<GrainRow> Appends { get; }
        void Succeed();
        void Fail(Exception exception);
        /// <summary>Its caller cancelled (set on any thread): no batch may take it any more.</summary>
        bool CancelRequested { get; }
        void Cancel();
    }

    private sealed class Pending<T>(Func<CustomerState, Change<T>> decide, Action? settled) : IPending
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private CancellationTokenRegistration _cancel;
        private T _result = default!;

        public Task<T> Task => _done.Task;

        public ImmutableArray<GrainRow> Appends { get; private set; } = [];

        private CancellationToken _cancellation;
        private volatile bool _cancelRequested;

        public bool CancelRequested => _cancelRequested;

        public void OnCancel(CancellationToken cancellation, Action withdraw)
        {
            _cancellation = cancellation;
            _cancel = cancellation.Register(() =>
            {
                _cancelRequested = true;
                withdraw();
            });
        }

        public bool Decide(CustomerState state, out CustomerState next)
        {
            next = state;
            Change<T> change;
            try
            {
                change = decide(state);
            }
            catch (Exception refused)
            {
                Answered();
                _done.TrySetException(refused);
                return false;
            }
            _result = change.Result;
            Appends = change.Appends.IsDefault ? [] : change.Appends;
            if (change.State is null)
            {
                Answered();
                _done.TrySetResult(change.Result);
                return false;
            }
            next = change.State;
            return true;
        }

        public void Succeed()
        {
            Answered();
            _done.TrySetResult(_result);
        }

        public void Fail(Exception exception)
        {
            Answered();
            _done.TrySetException(exception);
        }

        public void Cancel()
        {
            Answered();
            _done.TrySetCanceled(_cancellation);
        }

        private void Answered()
        {
            _cancel.Dispose();
            var once = settled;
            settled = null;
            once?.Invoke();
        }
    }
}
